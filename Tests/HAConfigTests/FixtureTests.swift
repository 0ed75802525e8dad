import HACore
@testable import HAConfig
import Testing

/// Every configuration published in the seeds (../shared/seeds) is a fixture; each must load.
@Suite struct FixtureTests {
    @Test(arguments: Fixture.accepted)
    func test_seedFixture_loadsWithoutErrors(name: String) throws {
        do {
            _ = try ConfigurationLoader.load(files: [Fixture.path(name)], environment: [:])
        } catch {
            Issue.record("\(name):\n\(error)")
        }
    }

    @Test func test_fixtureDirectory_holdsEverySeedExample() {
        #expect(Fixture.all.count >= 25)
    }
}
