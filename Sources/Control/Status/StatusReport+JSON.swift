import FoundationEssentials

extension StatusReport {
    /// The report as `hactl status --json` prints it: the encoded model, keys sorted so two
    /// nodes' outputs diff cleanly.
    public func jsonString(pretty: Bool = false) -> String {
        JSONCoding.string(self, pretty: pretty)
    }

    /// Decodes a report encoded by `jsonString`.
    public init(jsonString: String) throws {
        self = try JSONDecoder().decode(StatusReport.self, from: Data(jsonString.utf8))
    }
}

/// The encoder settings every JSON hactl writes uses: sorted keys (stable output), no
/// escaped slashes (paths stay readable), one line unless asked.
enum JSONCoding {
    static func string(_ value: some Encodable, pretty: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            // Our models hold only strings, integers, booleans and doubles (non-finite ones are
            // written as strings above), so this is unreachable; answer something a client can
            // still parse rather than take the control socket down.
            return #"{"encoding_error":"cannot encode \#(type(of: value))"}"#
        }
    }
}
