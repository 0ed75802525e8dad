import Appliance
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct LogLineFormatTests {
    let journal = LogLineFormat(style: .journal)
    let plain = LogLineFormat(style: .plain)

    @Test func test_journalStyle_prefixesSyslogPriorityAndOmitsTimestamp() {
        let line = journal.line(level: .warning, component: "proxy", message: "server down", metadata: [:], timestamp: "T")
        #expect(line == "<4>proxy: server down")
    }

    @Test func test_plainStyle_startsWithTimestampAndLevelWord() {
        let line = plain.line(level: .error, component: "liveness", message: "proxy down", metadata: [:], timestamp: "2026-11-23T10:00:00.000Z")
        #expect(line == "2026-11-23T10:00:00.000Z error liveness: proxy down")
    }

    @Test(arguments: [
        (Logger.Level.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
    ])
    func test_levels_mapToRFC5424Severities(level: Logger.Level, priority: Int) {
        #expect(LogLineFormat.syslogPriority(level) == priority)
        #expect(journal.line(level: level, component: "c", message: "m", metadata: [:], timestamp: "").hasPrefix("<\(priority)>c: "))
    }

    @Test func test_metadata_isSortedByKey() {
        let line = journal.line(
            level: .notice, component: "vrrp", message: "state change",
            metadata: ["to": "MASTER", "from": "BACKUP", "instance": "VI_1", "reason": "master_down_timer"],
            timestamp: ""
        )
        #expect(line == "<5>vrrp: state change from=BACKUP instance=VI_1 reason=master_down_timer to=MASTER")
    }

    @Test func test_valuesWithSpacesOrQuotes_areQuotedAndEscaped() {
        let line = journal.line(
            level: .info, component: "c", message: "m",
            metadata: ["a": "two words", "b": "say \"hi\"", "c": "", "d": "x=y"],
            timestamp: ""
        )
        #expect(line == #"<6>c: m a="two words" b="say \"hi\"" c="" d="x=y""#)
    }

    @Test func test_newlinesInMessageOrValues_neverSplitTheLine() {
        let line = journal.line(level: .error, component: "c", message: "first\nsecond", metadata: ["e": "x\ny"], timestamp: "")
        #expect(!line.contains("\n"))
        #expect(line == #"<3>c: first\nsecond e="x\ny""#)
    }

    @Test func test_handler_mergesHandlerAndEventMetadata_oneLinePerEvent() {
        let lines = LineCollector()
        var handler = StderrLogHandler(component: "appliance", format: journal, sink: LogSink { lines.append($0) })
        handler[metadataKey: "node"] = "lb1"
        let logger = Logger(label: "appliance", factory: { _ in handler })
        logger.notice("ready", metadata: ["summary": "1 frontends"])
        logger.debug("hidden below info")
        #expect(lines.all == ["<5>appliance: ready node=lb1 summary=\"1 frontends\"\n"])
    }

    @Test func test_journalStream_notMatchingStderr_choosesPlain() {
        #expect(LogStyle.detect(journalStream: nil) == .plain)
        #expect(LogStyle.detect(journalStream: "garbage") == .plain)
        #expect(LogStyle.detect(journalStream: "1:1") == .plain)
    }

    @Test func test_journalStream_matchingTheDescriptor_choosesJournal() throws {
        let descriptor = open("/dev/null", O_WRONLY)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        var status = stat()
        #expect(fstat(descriptor, &status) == 0)
        #expect(LogStyle.detect(journalStream: "\(status.st_dev):\(status.st_ino)", fileDescriptor: descriptor) == .journal)
        #expect(LogStyle.detect(journalStream: "\(status.st_dev):\(status.st_ino + 1)", fileDescriptor: descriptor) == .plain)
    }
}
