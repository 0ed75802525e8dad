import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A minimal SMTP server on 127.0.0.1 (python3, plain sockets) for the alert tests: it answers
/// every command positively and prints one JSON line per event — `{"port": N}` when listening,
/// `{"mail": {...}}` per message (envelope and DATA), `{"quit": mails}` when a session ends.
/// Started and stopped by the test (`stop()` kills it by pid).
final class SMTPSink: @unchecked Sendable {
    private let process: ChildProcess
    private let lines: AsyncStream<String>
    private var iterator: AsyncStream<String>.AsyncIterator
    private(set) var port = 0

    init() throws {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        lines = stream
        iterator = stream.makeAsyncIterator()
        process = try ChildProcess("/usr/bin/env", ["python3", "-u", "-c", """
            import socket, json
            s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
            print(json.dumps({"port": s.getsockname()[1]}), flush=True)
            while True:
                c, _ = s.accept(); f = c.makefile("rb")
                def say(t): c.sendall((t + "\\r\\n").encode())
                say("220 sink ESMTP")
                mails = 0; env = {"helo": None, "from": None, "rcpt": []}
                while True:
                    l = f.readline()
                    if not l: break
                    l = l.decode().rstrip("\\r\\n"); u = l.upper()
                    if u.startswith("EHLO") or u.startswith("HELO"): env["helo"] = l[5:]; say("250-sink"); say("250 8BITMIME")
                    elif u.startswith("MAIL FROM:"): env["from"] = l[10:]; say("250 ok")
                    elif u.startswith("RCPT TO:"): env["rcpt"].append(l[8:]); say("250 ok")
                    elif u == "DATA":
                        say("354 end with .")
                        data = []
                        while True:
                            d = f.readline().decode().rstrip("\\r\\n")
                            if d == ".": break
                            data.append(d)
                        mails += 1; env["data"] = "\\n".join(data)
                        print(json.dumps({"mail": env}), flush=True)
                        env = {"helo": env["helo"], "from": None, "rcpt": []}
                        say("250 queued")
                    elif u == "QUIT": say("221 bye"); break
                    else: say("250 ok")
                print(json.dumps({"quit": mails}), flush=True)
                c.close()
            """], standardOutput: .pipe, standardError: .null)
        // Its lines as they come, from a thread of their own (reading one waits for it).
        let output = process.standardOutput
        Thread {
            while let line = output.readLine() { continuation.yield(line) }
            continuation.finish()
        }.start()
    }

    /// Waits for the sink to listen; returns its port.
    func start(within deadline: Duration = .seconds(10)) async throws -> Int {
        let event = try await next(within: deadline)
        port = event["port"] as? Int ?? 0
        return port
    }

    /// The next JSON event the sink printed; throws when none came within `deadline`.
    func next(within deadline: Duration = .seconds(10)) async throws -> [String: Any] {
        let iterator = self.iterator
        defer { self.iterator = iterator }
        let line = try await withThrowingTaskGroup(of: String?.self) { group in
            nonisolated(unsafe) var it = iterator
            group.addTask { await it.next() }
            group.addTask { try await Task.sleep(for: deadline); throw SinkTimeout() }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let line, let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { throw SinkTimeout() }
        return object
    }

    func stop() {
        process.kill(SIGKILL)
        process.waitUntilExit()
    }

    struct SinkTimeout: Error {}
}
