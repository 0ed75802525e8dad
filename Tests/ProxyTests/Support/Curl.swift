import Foundation
import TestSupport

/// Runs Debian's curl with a bounded time, as the seed transcripts do.
enum Curl {
    static func run(_ arguments: [String]) throws -> String {
        try ChildProcess.run("/usr/bin/curl", ["--silent", "--max-time", "5"] + arguments, standardError: .inherit).standardOutput
    }
}
