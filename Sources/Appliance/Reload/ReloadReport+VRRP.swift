import HAConfig
import VRRP

/// The VRRP half of a reload: instances, scripts and track files are applied by the running
/// engine as a diff (`VRRPEngine.apply`); an untouched instance sees nothing.
extension ReloadReport {
    /// Applies `diff`'s `vrrp_instance`, `vrrp_script` and `vrrp_track_file` changes to `engine`
    /// and records each. A `vrrp_sync_group` change needs a restart (members move together, and
    /// a group cannot be re-formed under running members), so with one nothing of VRRP is applied.
    mutating func applyVRRP(_ diff: ConfigurationDiff, resolved: Configuration, engine: VRRPEngine) async {
        let vrrpChanges = diff.changes.filter { [.vrrpInstance, .vrrpScript, .vrrpTrackFile].contains($0.section) }
        guard !vrrpChanges.isEmpty else { return }
        if diff.changes.contains(where: { $0.section == .vrrpSyncGroup }) {
            needsRestart += vrrpChanges.map {
                ($0, "applied together with the vrrp_sync_group change, which needs a restart of hactl (the peer holds the VIP meanwhile)")
            }
            return
        }
        let results: [VRRPEngine.InstanceReload]
        do {
            results = try await engine.apply(resolved, settings: ApplianceComponents.vrrpSettings)
        } catch {
            failed += vrrpChanges.map { ($0, "\(error)") }
            return
        }
        let byInstance = Dictionary(results.map { ($0.instance, $0) }, uniquingKeysWith: { first, _ in first })
        let failures = results.filter { $0.kind == .failed }
        for change in vrrpChanges {
            if change.section == .vrrpInstance, let result = byInstance[change.name] {
                if result.kind == .failed {
                    failed.append((change, result.detail))
                } else {
                    applied.append(change)
                    details[change] = result.detail
                }
            } else if failures.isEmpty {
                applied.append(change)
                let touched = results.filter { $0.kind != .unchanged }.map(\.description)
                details[change] = touched.isEmpty ? "no instance uses it" : touched.joined(separator: "; ")
            } else {
                failed.append((change, failures.map(\.description).joined(separator: "; ")))
            }
        }
    }
}
