extension String {
    /// This text with every character that `replacements` names written as its escape: the one
    /// loop behind the stats page's HTML escaping and the Prometheus exposition's label and HELP
    /// escaping, which differ only in their tables.
    func escaping(_ replacements: [Character: String]) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for c in self {
            if let replacement = replacements[c] { out += replacement } else { out.append(c) }
        }
        return out
    }
}
