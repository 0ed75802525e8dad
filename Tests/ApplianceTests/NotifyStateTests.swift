import Systemd
import Testing

@Suite struct NotifyStateTests {
    @Test(arguments: [
        (NotifyState.ready, "READY=1"),
        (.stopping, "STOPPING=1"),
        (.watchdog, "WATCHDOG=1"),
        (.reloading, "RELOADING=1\nMONOTONIC_USEC=42"),
        (.status("MASTER VI_1; 2/2 servers up"), "STATUS=MASTER VI_1; 2/2 servers up"),
    ])
    func test_states_encodeAsSdNotifyAssignments(state: NotifyState, text: String) {
        #expect(state.assignments(monotonicMicroseconds: 42) == text)
    }

    @Test func test_status_withNewline_staysOneAssignment() {
        #expect(NotifyState.status("a\nREADY=1").assignments(monotonicMicroseconds: 0) == "STATUS=a READY=1")
    }
}
