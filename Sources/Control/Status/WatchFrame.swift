/// One screen of `hactl status --watch`: the status report as `hactl status` prints it, the last
/// state transitions of every instance under it (newest last), and a footer; drawn in place with
/// ANSI cursor-home and erase sequences, every line clipped to the terminal width (80 columns
/// by default).
public struct WatchFrame: Sendable {
    /// Colour states (see `useColour`).
    public var colours: Bool
    /// Visible columns per line.
    public var width: Int
    /// How many recent transitions to list.
    public var events: Int

    public init(colours: Bool, width: Int = 80, events: Int = 8) {
        self.colours = colours
        self.width = max(20, width)
        self.events = events
    }

    /// The no-color.org convention with the terminal rule: colour only when stdout is a terminal
    /// and `NO_COLOR` is absent or empty.
    public static func useColour(stdoutIsTerminal: Bool, environment: [String: String]) -> Bool {
        stdoutIsTerminal && (environment["NO_COLOR"] ?? "").isEmpty
    }

    /// Whether a key read from the terminal quits the view: `q`, `Q`, or Ctrl-C / Ctrl-D when
    /// they arrive as bytes (raw mode without signals).
    public static func quits(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "q") || byte == UInt8(ascii: "Q") || byte == 0x03 || byte == 0x04
    }

    /// The text of the frame: home the cursor, each line erased to its end, the rest of the
    /// screen erased, so an older longer frame leaves nothing behind.
    /// - Parameters:
    ///   - report: the node's status, or nil when the node could not be asked.
    ///   - problem: why there is no report (shown in its place).
    ///   - nowMs: now, in milliseconds since the Unix epoch.
    ///   - clock: now as the operator reads it (`23:41:07`), for the footer.
    public func render(_ report: StatusReport?, problem: String? = nil, nowMs: Int64, clock: String) -> String {
        var lines: [String] = []
        if let report {
            let body = StatusRenderer(colours: colours).render(report, nowMs: nowMs)
            lines += body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            while lines.last == "" { lines.removeLast() }
            let recent = report.instances.flatMap { instance in instance.transitions.map { (instance.name, $0) } }
                .sorted { $0.1.at < $1.1.at }
                .suffix(events)
            if !recent.isEmpty {
                lines.append("")
                lines.append("LAST EVENTS")
                for (name, transition) in recent {
                    let ago = StatusRenderer.duration(seconds: Int(max(0, nowMs - transition.at) / 1000))
                    lines.append("  \(ago) ago  \(name) \(transition.from.rawValue)->\(transition.to.rawValue): \(transition.reason)")
                }
            }
        } else {
            lines.append("node unreachable: \(problem ?? "no answer")")
            lines.append("retrying every second")
        }
        lines.append("")
        lines.append("\(clock)  refreshed every 1s   q or Ctrl-C: quit")
        let escape = "\u{1B}["
        return escape + "H" + lines.map { clip($0) + escape + "K" }.joined(separator: "\r\n") + "\r\n" + escape + "J"
    }

    /// `line` cut to `width` visible characters; ANSI escape sequences are kept and not counted,
    /// and a cut coloured line is reset so the colour does not bleed.
    func clip(_ line: String) -> String {
        var visible = 0
        var result = ""
        var inEscape = false
        var cut = false
        for character in line {
            if inEscape {
                result.append(character)
                if character.isLetter { inEscape = false }
                continue
            }
            if character == "\u{1B}" {
                inEscape = true
                result.append(character)
                continue
            }
            if visible == width { cut = true; break }
            result.append(character)
            visible += 1
        }
        return cut && colours ? result + "\u{1B}[0m" : result
    }
}
