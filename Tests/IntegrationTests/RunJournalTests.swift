import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `hactl run` under systemd with stderr connected to the journal (`JOURNAL_STREAM` names
/// stderr's device:inode): its own events must reach journald through sd_journal_sendv with
/// structured fields. There is no journald here, so the test plays it: hactl runs in a private
/// mount namespace whose /run/systemd is a tmpfs holding /run/systemd/journal/socket, a bind
/// mount of the test's own unix datagram socket, read in journald's native protocol
/// (`KEY=VALUE` lines: the test's fields hold no newline, so no binary length form).
@Suite(.serialized) struct RunJournalTests {
    static let configuration = """
        vrrp_instance VI_7
            interface eth0
            virtual_router_id 77
            advert_int 1
            virtual_ipaddress 198.18.3.10/24 dev eth0

        """

    @Test func test_vrrpTransition_reachesTheJournalWithItsFields_notStderr() async throws {
        guard NamespaceLab.isAvailable else {
            print("skipped: needs root")
            return
        }
        let lab = try NamespaceLab(tag: "hj", hosts: [("lb1", "198.18.3.11/24")])
        defer { lab.destroy() }
        let file = try lab.writeFile("hactl.conf", Self.configuration)
        let notify = try RunNotifySocket()
        let journal = try RunNotifySocket()
        // unshare -m (private propagation) → tmpfs on /run/systemd → the journal socket bound in
        // → JOURNAL_STREAM from the very file stderr is → exec ip netns exec → exec hactl: the pid
        // RunHactlProcess tracks stays hactl's through every exec.
        let script = """
            set -e
            mount -t tmpfs tmpfs /run/systemd
            mkdir -p /run/systemd/journal
            touch /run/systemd/journal/socket
            mount --bind "$1" /run/systemd/journal/socket
            JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2)
            export JOURNAL_STREAM
            exec ip netns exec "$2" "$3" run --role master -f "$4"
            """
        let hactl = try RunHactlProcess(
            arguments: ["-m", "--propagation", "private", "/bin/sh", "-c", script, "sh", journal.path, lab.namespace("lb1"), RunHactlProcess.binary, file],
            environment: ["NOTIFY_SOCKET": notify.path], executable: "/usr/bin/unshare"
        )
        // Alone on its link, the master takes over after Master_Down_Interval (about 3 s).
        let master = notify.waitForStatus(timeout: .seconds(20)) { $0 == "MASTER VI_7" }
        #expect(master, "stderr: \(hactl.standardError)")
        let arrived = journal.waitFor(timeout: .seconds(5), assignmentWhere: { $0.hasPrefix("MESSAGE=vrrp: VRRP_Instance(VI_7) Entering MASTER STATE") })
        #expect(arrived, "journal got: \(journal.received)\nstderr: \(hactl.standardError)")

        // The entry's fields: the datagram's lines from its MESSAGE= to the next MESSAGE=.
        let start = try #require(journal.received.firstIndex { $0.hasPrefix("MESSAGE=vrrp: VRRP_Instance(VI_7) Entering MASTER STATE") })
        let end = journal.received[(start + 1)...].firstIndex { $0.hasPrefix("MESSAGE=") } ?? journal.received.endIndex
        let fields = Array(journal.received[start..<end])
        print("RunJournalTests: the entry journald would store: \(fields)")
        for expected in ["PRIORITY=5", "SYSLOG_IDENTIFIER=hactl", "HACTL_COMPONENT=vrrp", "HACTL_INSTANCE=VI_7",
                         "HACTL_STATE=MASTER", "HACTL_PREVIOUS_STATE=BACKUP"] {
            #expect(fields.contains(expected), "missing \(expected) in \(fields)")
        }
        #expect(fields.contains { $0.hasPrefix("HACTL_REASON=") && $0.count > "HACTL_REASON=".count }, "\(fields)")
        // Sent to the journal, so not written a second time on the stream.
        #expect(!hactl.standardError.contains("Entering MASTER STATE"), "stderr: \(hactl.standardError)")

        hactl.signal(SIGTERM)
        #expect(await hactl.waitForExit(timeout: .seconds(10)) == 0, "stderr: \(hactl.standardError)")
        await hactl.stop()
    }
}
