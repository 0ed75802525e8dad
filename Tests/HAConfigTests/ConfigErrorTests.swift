import HACore
import HAConfig
import Testing

@Suite struct ConfigErrorTests {
    @Test func test_description_namesFileLineColumnKeywordAndSuggestion() {
        let error = ConfigError(
            location: SourceLocation(file: "hactl.conf", line: 12, column: 5),
            keyword: "balanse",
            message: "unknown keyword in 'backend'",
            suggestion: "balance"
        )
        #expect(error.description == "hactl.conf:12:5: error: 'balanse': unknown keyword in 'backend' (did you mean 'balance'?)")
    }
}
