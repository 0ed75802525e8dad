import Foundation
import HACore
@testable import HAConfig
import Testing

/// A small deterministic generator (SplitMix64) so every run mutates the same way.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Mutated fixtures must give a configuration or errors, never a crash or a hang.
@Suite struct FuzzTests {
    /// 60 per fixture in CI; `HACTL_FUZZ_ROUNDS=5000 swift test --filter FuzzTests` for a deeper run.
    static let mutationsPerFixture = ProcessInfo.processInfo.environment["HACTL_FUZZ_ROUNDS"].flatMap(Int.init) ?? 60
    static let alphabet = Array("{}\"'\\#!$ \t\n:/.-_0123456789abcxyzMASTERBACKUP%[]()|")

    private func mutate(_ text: String, using random: inout SplitMix64) -> String {
        var characters = Array(text)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        switch random.next() % 6 {
        case 0 where !characters.isEmpty:
            let start = Int(random.next() % UInt64(characters.count))
            let length = Int(random.next() % 12)
            characters.removeSubrange(start..<min(characters.count, start + length))
        case 1:
            let at = characters.isEmpty ? 0 : Int(random.next() % UInt64(characters.count))
            let count = 1 + Int(random.next() % 6)
            characters.insert(contentsOf: (0..<count).map { _ in Self.alphabet[Int(random.next() % UInt64(Self.alphabet.count))] }, at: at)
        case 2 where !lines.isEmpty:
            let index = Int(random.next() % UInt64(lines.count))
            lines.insert(lines[index], at: index)
            return lines.joined(separator: "\n")
        case 3 where lines.count > 1:
            let a = Int(random.next() % UInt64(lines.count)), b = Int(random.next() % UInt64(lines.count))
            lines.swapAt(a, b)
            return lines.joined(separator: "\n")
        case 4 where !characters.isEmpty:
            characters.removeSubrange(Int(random.next() % UInt64(characters.count))...)
        default:
            if !lines.isEmpty {
                let index = Int(random.next() % UInt64(lines.count))
                let words = lines[index].split(separator: " ")
                if !words.isEmpty { lines[index] = words.shuffled(using: &random).joined(separator: " ") }
            }
            return lines.joined(separator: "\n")
        }
        return String(characters)
    }

    @Test(arguments: Fixture.all)
    func test_mutatedFixture_neverCrashesTheParser(name: String) throws {
        var random = SplitMix64(state: UInt64(truncatingIfNeeded: name.utf8.reduce(0) { $0 &* 31 &+ Int($1) }))
        var text = try Fixture.text(name)
        var outcomes = (valid: 0, invalid: 0)
        for round in 0..<Self.mutationsPerFixture {
            // Mostly fresh single mutations, sometimes stacked ones.
            if round % 10 == 0 { text = try Fixture.text(name) }
            text = mutate(text, using: &random)
            for dialect in [nil, ConfigurationLoader.Dialect.hactl, .keepalived] {
                do {
                    let configuration = try ConfigurationLoader.parse(text: text, file: name, dialect: dialect, environment: ["X": "1"])
                    _ = ConfigurationPrinter.print(configuration)
                    outcomes.valid += 1
                } catch {
                    #expect(!error.errors.isEmpty)
                    #expect(error.errors.allSatisfy { $0.location.line >= 0 && !$0.message.isEmpty })
                    outcomes.invalid += 1
                }
            }
        }
        #expect(outcomes.valid + outcomes.invalid == Self.mutationsPerFixture * 3)
    }
}
