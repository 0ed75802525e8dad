import NIOCore

/// HAProxy `option forwardfor` when the frontend, the backend or both enable it.
///
/// HAProxy's manual: the header is added if either side enables the option; the backend's
/// `header NAME` wins over the frontend's; `if-none` skips a request that already carries the
/// header only when every side that enables the option says `if-none` (a plain `forwardfor`
/// on either side adds it always); a source inside either side's `except` network is skipped.
enum ForwardedFor {
    /// The field name to add the client's address under, or nil when nothing is added.
    static func header(frontend: ForwardForPlan?, backend: ForwardForPlan?, source: SocketAddress, fields: HTTPFields) -> String? {
        guard frontend != nil || backend != nil else { return nil }
        if frontend?.except?.contains(source) == true || backend?.except?.contains(source) == true { return nil }
        let name = backend?.header ?? frontend!.header
        let ifNone = (frontend?.ifNone ?? true) && (backend?.ifNone ?? true)
        if ifNone && fields.contains(name) { return nil }
        return name
    }
}
