/// `balance url_param NAME check_post`: a parameter looked up in a request body read as
/// `application/x-www-form-urlencoded` (`name=value&...`). As HAProxy documents, the scan
/// stops at the first space or control byte: what follows is not a parameter list.
enum FormBody {
    /// The raw (still percent-encoded) value of the first `name=value` pair, if any.
    static func value(of name: String, in body: [UInt8]) -> ArraySlice<UInt8>? {
        let end = body.firstIndex { $0 <= 0x20 || $0 == 0x7F } ?? body.endIndex
        let key = Array(name.utf8)
        var start = body.startIndex
        while start < end {
            let pairEnd = body[start..<end].firstIndex(of: UInt8(ascii: "&")) ?? end
            let pair = body[start..<pairEnd]
            if let equals = pair.firstIndex(of: UInt8(ascii: "=")), pair[start..<equals].elementsEqual(key) {
                return body[(equals + 1)..<pairEnd]
            }
            start = pairEnd + 1
        }
        return nil
    }
}
