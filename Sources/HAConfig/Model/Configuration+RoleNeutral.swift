extension Configuration {
    /// The configuration without the VRRP settings that differ between the master's and the
    /// backup's keepalived.conf (`state`, `priority`), so one file serves every node and
    /// `hactl run --role master|backup` sets them (CONFIG.md "Roles instead of two files").
    public func roleNeutral() -> Configuration {
        var copy = self
        for index in copy.vrrpInstances.indices {
            copy.vrrpInstances[index].initialState = nil
            copy.vrrpInstances[index].priority = nil
        }
        return copy
    }
}
