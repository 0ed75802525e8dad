import NIOCore
import NIOPosix

/// The socket side of `SMTPDialogue`: one TCP connection per batch of mails, on NIO.
struct SMTPClient: Sendable {
    /// Where `smtp_server HOST [PORT]` points (port 25 by default).
    var host: String
    var port: Int
    /// `smtp_connect_timeout` (keepalived's default: 30 s).
    var connectTimeout: TimeAmount
    /// The whole session after the connection is up; a silent server is cut off at this point.
    var sessionTimeout: TimeAmount
    /// The EHLO/HELO name: this host.
    var heloName: String
    var group: any EventLoopGroup

    /// What one session did: mails delivered, refusals and errors (empty when all went through).
    struct Report: Sendable {
        var delivered: Int
        var failures: [SMTPDialogue.Failure]
    }

    /// `smtp_server`'s stored form (`host`, `host:port`, `[v6]:port`) as host and port.
    static func endpoint(_ server: String) -> (host: String, port: Int) {
        if server.hasPrefix("["), let close = server.firstIndex(of: "]") {
            let host = String(server[server.index(after: server.startIndex)..<close])
            let rest = server[server.index(after: close)...]
            return (host, rest.hasPrefix(":") ? Int(rest.dropFirst()) ?? 25 : 25)
        }
        let parts = server.split(separator: ":")
        if parts.count == 2, let port = Int(parts[1]) { return (String(parts[0]), port) }
        return (server, 25)
    }

    /// Delivers `mails` over one connection. Throws when the server cannot be reached (the
    /// connect timeout included); refusals and a session cut short are in the report.
    func send(_ mails: [SMTPDialogue.Mail]) async throws -> Report {
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(connectTimeout)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let cutOff = channel.channel.eventLoop.scheduleTask(in: sessionTimeout) {
            channel.channel.close(promise: nil)
        }
        defer { cutOff.cancel() }
        let heloName = self.heloName
        return try await channel.executeThenClose { inbound, outbound in
            var dialogue = SMTPDialogue(heloName: heloName, mails: mails)
            var pending = ByteBuffer()
            do {
                reading: for try await var chunk in inbound {
                    pending.writeBuffer(&chunk)
                    while let line = Self.nextLine(&pending) {
                        switch dialogue.received(line: line) {
                        case .wait: continue
                        case .send(let text): try await outbound.write(ByteBuffer(string: text))
                        case .close: break reading
                        }
                    }
                }
            } catch {
                // Closed under us (the session timeout, a reset): what was delivered stays delivered.
                dialogue.connectionClosed()
                return Report(delivered: dialogue.delivered, failures: dialogue.failures + [.init(command: "session", reply: "\(error)")])
            }
            dialogue.connectionClosed()
            return Report(delivered: dialogue.delivered, failures: dialogue.failures)
        }
    }

    /// The next CRLF- (or LF-) terminated line, without its end; nil until one is complete.
    static func nextLine(_ buffer: inout ByteBuffer) -> String? {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let length = newline - buffer.readerIndex
        var line = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 1)
        if line.hasSuffix("\r") { line.removeLast() }
        return line
    }
}
