import HACore

/// Parses keepalived's VRRP sections (`vrrp_instance`, `vrrp_script`, `vrrp_sync_group`,
/// `vrrp_track_file`) with keepalived's keyword meanings (keepalived.conf(5)). The same code
/// reads hactl.conf's one-item-per-line form (`virtual_ipaddress 198.18.0.1/24 dev eth0`) and
/// keepalived's `{ }` blocks (`virtual_ipaddress { ... }`).
struct VRRPSectionParser {
    let diagnostics: Diagnostics

    static let instanceKeywords = [
        "state", "interface", "virtual_router_id", "priority", "advert_int", "version", "authentication",
        "virtual_ipaddress", "virtual_ipaddress_excluded", "unicast_src_ip", "unicast_peer", "nopreempt", "preempt",
        "preempt_delay", "track_proxy", "track_script", "track_interface", "track_file", "notify", "notify_master",
        "notify_backup", "notify_fault", "notify_stop", "garp_master_delay", "garp_master_repeat",
        "garp_master_refresh", "garp_master_refresh_repeat", "vrrpv3_checksum_as_v2", "smtp_alert",
        "dont_track_primary", "mcast_src_ip", "vrrp_witness",
    ]

    /// The name from a section header (`vrrp_instance VI_1`).
    func sectionName(_ header: Statement, what: String) -> String? {
        var arguments = ArgumentReader(header, diagnostics: diagnostics)
        guard let name = arguments.require("a name for the \(what)") else { return nil }
        if let brace = arguments.peek, brace.text == "{" {
            diagnostics.error(at: arguments.location(of: brace), keyword: header.keyword.text,
                              "hactl.conf takes no '{ }' blocks: write the keywords on the lines below, one item per line (or import a keepalived.conf with 'hactl import')")
            return nil
        }
        arguments.expectEnd()
        return name.text
    }
}
