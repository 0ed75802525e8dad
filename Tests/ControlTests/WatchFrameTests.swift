import Testing
@testable import Control

@Suite struct WatchFrameTests {
    let escape = "\u{1B}["

    /// The visible lines of a frame: escapes removed, split on CRLF.
    func visibleLines(_ frame: String) -> [String] {
        var plain = ""
        var inEscape = false
        for character in frame {
            if inEscape { if character.isLetter { inEscape = false }; continue }
            if character == "\u{1B}" { inEscape = true; continue }
            plain.append(character)
        }
        return plain.components(separatedBy: "\r\n")
    }

    @Test func test_noColour_whenStdoutIsNotATerminal_orNO_COLORIsSet() {
        #expect(WatchFrame.useColour(stdoutIsTerminal: true, environment: [:]))
        #expect(!WatchFrame.useColour(stdoutIsTerminal: false, environment: [:]))
        #expect(!WatchFrame.useColour(stdoutIsTerminal: true, environment: ["NO_COLOR": "1"]))
        #expect(WatchFrame.useColour(stdoutIsTerminal: true, environment: ["NO_COLOR": ""]))
    }

    @Test func test_frame_redrawsInPlace_homeEraseEachLineAndBelow() {
        let frame = WatchFrame(colours: false).render(Fixtures.report, nowMs: Fixtures.nowMs, clock: "23:41:07")
        #expect(frame.hasPrefix(escape + "H"))
        #expect(frame.hasSuffix(escape + "J"))
        #expect(!frame.contains(escape + "2J"))  // no full clear: no flicker
        #expect(!frame.contains(escape + "3"))   // no colour escapes when colours are off
    }

    @Test func test_everyLineFitsIn80Columns() {
        var report = Fixtures.report
        report.proxy.reason = String(repeating: "a very long reason ", count: 10)
        let frame = WatchFrame(colours: true).render(report, nowMs: Fixtures.nowMs, clock: "23:41:07")
        #expect(visibleLines(frame).allSatisfy { $0.count <= 80 })
        #expect(visibleLines(frame).contains { $0.count == 80 })
    }

    @Test func test_lastEvents_listTransitionsNewestLast_underTheStatus() throws {
        let lines = visibleLines(WatchFrame(colours: false).render(Fixtures.report, nowMs: Fixtures.nowMs, clock: "23:41:07"))
        let header = try #require(lines.firstIndex(of: "LAST EVENTS"))
        #expect(lines[header + 1].contains("VI_1 BACKUP->MASTER: higher priority than 10.0.0.3"))
        #expect(lines.last { !$0.isEmpty } == "23:41:07  refreshed every 1s   q or Ctrl-C: quit")
    }

    @Test func test_unreachableNode_saysWhyAndKeepsTrying() {
        let lines = visibleLines(WatchFrame(colours: false).render(nil, problem: "connect: No such file", nowMs: 0, clock: "23:41:07"))
        #expect(lines[0] == "node unreachable: connect: No such file")
    }

    @Test func test_quitKeys() {
        #expect(WatchFrame.quits(UInt8(ascii: "q")) && WatchFrame.quits(3))
        #expect(!WatchFrame.quits(UInt8(ascii: "x")))
    }
}
