/// RFC 5321's client side of one SMTP session as a state machine: replies in, commands out.
/// It owns no socket and no timer (`SMTPClient` is the shell).
///
/// The session: greeting (220) → EHLO (falling back to HELO when refused, §4.1.1.1) → for
/// each mail MAIL FROM, RCPT TO per recipient, DATA, the dot-stuffed content (§4.5.2) → QUIT.
/// A refused mail is reset (RSET) and the next one is tried; a recipient refused alone does
/// not stop the others.
struct SMTPDialogue {
    /// One mail to deliver.
    struct Mail: Sendable, Equatable {
        var from: String
        var recipients: [String]
        /// RFC 5322 text, CRLF line ends, without the final `.`.
        var content: String
    }

    /// A command the server refused (its reply, as sent), or the session ending early.
    struct Failure: Sendable, Equatable, CustomStringConvertible {
        var command: String
        var reply: String
        var description: String { "\(command): \(reply)" }
    }

    enum Action: Equatable {
        /// Nothing to send: the reply is not complete yet (a `250-` continuation line).
        case wait
        /// Write this text (CRLF included).
        case send(String)
        /// The session is over: close the connection.
        case close
    }

    private enum Phase: Equatable {
        case greeting, ehlo, helo, mailFrom, rcptTo(index: Int, accepted: Int), data, content, reset, quit, done
    }

    private let heloName: String
    private let mails: [Mail]
    private var current = 0
    private var phase = Phase.greeting
    /// Mails the server accepted (250 after the content).
    private(set) var delivered = 0
    /// Every refusal, in order.
    private(set) var failures: [Failure] = []

    init(heloName: String, mails: [Mail]) {
        self.heloName = heloName
        self.mails = mails
    }

    /// Whether QUIT was answered (or the session was given up on purpose).
    var isFinished: Bool { phase == .done }

    /// Mails neither delivered nor explicitly refused when the session ended.
    var undelivered: Int { mails.count - delivered }

    /// One reply line from the server.
    mutating func received(line: String) -> Action {
        let bytes = Array(line.utf8)
        guard bytes.count >= 3, let code = Int(String(decoding: bytes.prefix(3), as: UTF8.self)) else {
            failures.append(Failure(command: "\(phase)", reply: "malformed reply '\(line)'"))
            phase = .done
            return .close
        }
        if bytes.count > 3, bytes[3] == UInt8(ascii: "-") { return .wait }
        return reply(code: code, text: line)
    }

    /// The connection ended before QUIT's reply: the rest of the batch is lost.
    mutating func connectionClosed() {
        guard phase != .done, phase != .quit else { phase = .done; return }
        failures.append(Failure(command: "\(phase)", reply: "connection closed by the server"))
        phase = .done
    }

    private mutating func reply(code: Int, text: String) -> Action {
        let positive = (200..<300).contains(code)
        switch phase {
        case .greeting:
            guard code == 220 else { return refuse("greeting", text, then: .quit) }
            phase = .ehlo
            return .send("EHLO \(heloName)\r\n")
        case .ehlo:
            guard positive else {
                phase = .helo
                return .send("HELO \(heloName)\r\n")
            }
            return nextMail()
        case .helo:
            guard positive else { return refuse("HELO", text, then: .quit) }
            return nextMail()
        case .mailFrom:
            guard positive else { return refuse("MAIL FROM", text, then: .reset) }
            return recipient(0, accepted: 0)
        case .rcptTo(let index, var accepted):
            if positive { accepted += 1 } else { failures.append(Failure(command: "RCPT TO:<\(mails[current].recipients[index])>", reply: text)) }
            if index + 1 < mails[current].recipients.count { return recipient(index + 1, accepted: accepted) }
            guard accepted > 0 else { return refuse("RCPT TO", "every recipient refused", then: .reset) }
            phase = .data
            return .send("DATA\r\n")
        case .data:
            guard code == 354 else { return refuse("DATA", text, then: .reset) }
            phase = .content
            return .send(Self.stuffed(mails[current].content) + "\r\n.\r\n")
        case .content:
            guard positive else { return refuse("message", text, then: .reset) }
            delivered += 1
            current += 1
            return nextMail()
        case .reset:
            current += 1
            return nextMail()
        case .quit:
            phase = .done
            return .close
        case .done:
            return .close
        }
    }

    private mutating func nextMail() -> Action {
        guard current < mails.count else {
            phase = .quit
            return .send("QUIT\r\n")
        }
        phase = .mailFrom
        return .send("MAIL FROM:<\(mails[current].from)>\r\n")
    }

    private mutating func recipient(_ index: Int, accepted: Int) -> Action {
        phase = .rcptTo(index: index, accepted: accepted)
        return .send("RCPT TO:<\(mails[current].recipients[index])>\r\n")
    }

    /// Records the refusal and resets the transaction or ends the session.
    private mutating func refuse(_ command: String, _ reply: String, then next: Phase) -> Action {
        failures.append(Failure(command: command, reply: reply))
        phase = next
        return .send(next == .reset ? "RSET\r\n" : "QUIT\r\n")
    }

    /// RFC 5321 §4.5.2: a line starting with `.` gets one more; bare LFs become CRLF.
    static func stuffed(_ content: String) -> String {
        content.replacingCRLF().split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }
            .joined(separator: "\r\n")
    }
}

extension String {
    /// Every line end as a bare LF (CRLF and lone CR included), for re-joining with CRLF.
    fileprivate func replacingCRLF() -> String {
        var result = ""
        result.reserveCapacity(utf8.count)
        var previousCR = false
        for scalar in unicodeScalars {
            if scalar == "\r" { result.append("\n"); previousCR = true; continue }
            if scalar == "\n", previousCR { previousCR = false; continue }
            previousCR = false
            result.unicodeScalars.append(scalar)
        }
        return result
    }
}
