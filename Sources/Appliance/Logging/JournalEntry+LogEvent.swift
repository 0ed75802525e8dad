public import Logging
public import Systemd

extension JournalEntry {
    /// The journal entry for one log event (systemd.journal-fields(7)):
    /// - `MESSAGE=` the same text as a stderr line after its level (`vrrp: VRRP_Instance(VI_1)
    ///   Entering MASTER STATE from=BACKUP instance=VI_1 ...`), so `journalctl` reads as before;
    /// - `PRIORITY=` the syslog severity of the level, `SYSLOG_IDENTIFIER=hactl`;
    /// - `HACTL_COMPONENT=` the logger (vrrp, proxy, liveness...), and one `HACTL_` field per
    ///   metadata key: `instance` → `HACTL_INSTANCE`, a transition's `from`/`to` →
    ///   `HACTL_PREVIOUS_STATE`/`HACTL_STATE`, `backend` → `HACTL_PROXY` (HAProxy's word),
    ///   `server` → `HACTL_SERVER`, `reason` → `HACTL_REASON`, any other key upper-cased.
    ///
    /// `journalctl HACTL_INSTANCE=VI_1 HACTL_STATE=MASTER` then finds every takeover of VI_1.
    public init(level: Logger.Level, component: String, message: String, metadata: Logger.Metadata) {
        self.init()
        append("MESSAGE", LogLineFormat.body(component: component, message: message, metadata: metadata))
        append("PRIORITY", String(LogLineFormat.syslogPriority(level)))
        append("SYSLOG_IDENTIFIER", "hactl")
        append("HACTL_COMPONENT", component)
        let transition = metadata["from"] != nil && metadata["to"] != nil
        for key in metadata.keys.sorted() {
            guard let value = metadata[key] else { continue }
            append(Self.fieldName(forMetadataKey: key, transition: transition), LogLineFormat.render(value))
        }
    }

    /// `HACTL_` and the journal name of a metadata key.
    static func fieldName(forMetadataKey key: String, transition: Bool) -> String {
        switch key {
        case "from" where transition: "HACTL_PREVIOUS_STATE"
        case "to" where transition: "HACTL_STATE"
        case "backend": "HACTL_PROXY"
        default: "HACTL_" + JournalEntry.fieldName(key)
        }
    }
}
