@testable import Appliance
import Testing

@Suite struct SMTPDialogueTests {
    let mail = SMTPDialogue.Mail(from: "lb@example.com", recipients: ["ops@example.com", "oncall@example.com"], content: "Subject: x\r\n\r\nbody")

    /// Feeds `replies` in order and returns every action taken.
    func run(_ dialogue: inout SMTPDialogue, _ replies: [String]) -> [SMTPDialogue.Action] {
        replies.map { dialogue.received(line: $0) }
    }

    @Test func test_oneMail_followsRFC5321Sequence_andCountsItDelivered() {
        var dialogue = SMTPDialogue(heloName: "lb1", mails: [mail])
        let actions = run(&dialogue, ["220 sink ready", "250-sink", "250 8BITMIME", "250 ok", "250 ok", "250 ok", "354 go", "250 queued", "221 bye"])
        #expect(actions == [
            .send("EHLO lb1\r\n"), .wait, .send("MAIL FROM:<lb@example.com>\r\n"), .send("RCPT TO:<ops@example.com>\r\n"),
            .send("RCPT TO:<oncall@example.com>\r\n"), .send("DATA\r\n"), .send("Subject: x\r\n\r\nbody\r\n.\r\n"), .send("QUIT\r\n"), .close,
        ])
        #expect(dialogue.delivered == 1 && dialogue.failures.isEmpty && dialogue.isFinished)
    }

    @Test func test_ehloRefused_fallsBackToHelo() {
        var dialogue = SMTPDialogue(heloName: "lb1", mails: [mail])
        let actions = run(&dialogue, ["220 old", "502 what", "250 hi"])
        #expect(actions == [.send("EHLO lb1\r\n"), .send("HELO lb1\r\n"), .send("MAIL FROM:<lb@example.com>\r\n")])
    }

    @Test func test_oneRecipientRefused_mailStillGoesToTheOther() {
        var dialogue = SMTPDialogue(heloName: "lb1", mails: [mail])
        let actions = run(&dialogue, ["220 ok", "250 ok", "250 ok", "550 no such user", "250 ok"])
        #expect(actions.last == .send("DATA\r\n"))
        #expect(dialogue.failures == [.init(command: "RCPT TO:<ops@example.com>", reply: "550 no such user")])
    }

    @Test func test_mailRefused_isResetAndTheNextMailTried() {
        var dialogue = SMTPDialogue(heloName: "lb1", mails: [mail, mail])
        let actions = run(&dialogue, ["220 ok", "250 ok", "451 try later", "250 reset"])
        #expect(actions == [.send("EHLO lb1\r\n"), .send("MAIL FROM:<lb@example.com>\r\n"), .send("RSET\r\n"), .send("MAIL FROM:<lb@example.com>\r\n")])
        #expect(dialogue.failures == [.init(command: "MAIL FROM", reply: "451 try later")])
    }

    @Test func test_closedBeforeQuit_isAFailure() {
        var dialogue = SMTPDialogue(heloName: "lb1", mails: [mail])
        _ = run(&dialogue, ["220 ok"])
        dialogue.connectionClosed()
        #expect(dialogue.delivered == 0 && dialogue.failures.count == 1 && dialogue.isFinished)
    }

    @Test func test_contentLinesStartingWithDot_areDotStuffed() {
        #expect(SMTPDialogue.stuffed("a\r\n.b\n..c") == "a\r\n..b\r\n...c")
    }

    @Test func test_alertQueue_dropsTheOldestWhenFull_andCountsIt() {
        var queue = AlertQueue<Int>(capacity: 2)
        #expect(queue.append(1) == nil && queue.append(2) == nil)
        #expect(queue.append(3) == 1)
        #expect(queue.dropped == 1 && queue.takeAll() == [2, 3] && queue.count == 0)
    }

    @Test func test_smtpServerEndpoint_defaultsToPort25() {
        #expect(SMTPClient.endpoint("mx.example.com") == ("mx.example.com", 25))
        #expect(SMTPClient.endpoint("198.18.0.25:2525") == ("198.18.0.25", 2525))
        #expect(SMTPClient.endpoint("[2001:db8::25]:587") == ("2001:db8::25", 587))
    }
}
