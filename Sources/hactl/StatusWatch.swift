import Control
import Dispatch
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The terminal side of `hactl status --watch`: asks the node every second and draws
/// `WatchFrame` in place; the keyboard in non-canonical mode (so `q` needs no Enter), Ctrl-C
/// through SIGINT; the terminal is restored on the way out.
struct StatusWatch {
    let socket: String

    private enum Input { case tick, quit }
    private static let queue = DispatchQueue(label: "hactl.status-watch")

    func run() async {
        let interactive = isatty(STDIN_FILENO) != 0
        let frame = WatchFrame(
            colours: WatchFrame.useColour(stdoutIsTerminal: isatty(STDOUT_FILENO) != 0, environment: ProcessInfo.processInfo.environment),
            width: Self.columns())
        let (inputs, input) = AsyncStream<Input>.makeStream(bufferingPolicy: .bufferingNewest(4))

        // Ctrl-C, a kill, the terminal closing: all leave through the same door (terminal restored).
        for number in [SIGINT, SIGTERM, SIGHUP] { signal(number, SIG_IGN) }
        let signals = [SIGINT, SIGTERM, SIGHUP].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: Self.queue)
            source.setEventHandler { input.yield(.quit) }
            source.resume()
            return source
        }
        var saved = termios()
        var keys: (any DispatchSourceRead)?
        if interactive, tcgetattr(STDIN_FILENO, &saved) == 0 {
            var raw = saved
            raw.c_lflag &= ~tcflag_t(ICANON | ECHO)  // ISIG kept: Ctrl-C stays SIGINT
            tcsetattr(STDIN_FILENO, TCSANOW, &raw)
            let source = DispatchSource.makeReadSource(fileDescriptor: STDIN_FILENO, queue: Self.queue)
            source.setEventHandler {
                var bytes = [UInt8](repeating: 0, count: 64)
                let count = read(STDIN_FILENO, &bytes, bytes.count)
                if count <= 0 || bytes.prefix(count).contains(where: WatchFrame.quits) { input.yield(.quit) }
            }
            source.resume()
            keys = source
        }
        let ticker = Task {
            while !Task.isCancelled {
                input.yield(.tick)
                try? await Task.sleep(for: .seconds(1))
            }
        }
        StandardStreams.output("\u{1B}[?25l\u{1B}[2J")  // hide the cursor, clear once
        for await event in inputs {
            if case .quit = event { break }
            let text: String
            do {
                guard case .status(let report) = try await ControlClient(path: socket, timeout: .seconds(2)).send(.status) else {
                    throw WatchError.notAStatus
                }
                text = frame.render(report, nowMs: Self.nowMs(), clock: Self.clock())
            } catch {
                text = frame.render(nil, problem: "\(socket): \(error)", nowMs: Self.nowMs(), clock: Self.clock())
            }
            StandardStreams.output(text)
        }
        ticker.cancel()
        keys?.cancel()
        signals.forEach { $0.cancel() }
        if interactive { tcsetattr(STDIN_FILENO, TCSANOW, &saved) }
        StandardStreams.output("\u{1B}[?25h\n")  // the cursor back
    }

    private enum WatchError: Error, CustomStringConvertible {
        case notAStatus
        var description: String { "the node answered something other than a status report" }
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    static func clock() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }

    /// The terminal's width, 80 when it cannot be told.
    static func columns() -> Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}
