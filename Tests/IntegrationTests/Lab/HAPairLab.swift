import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Two load-balancer nodes, lb1 (198.18.SUBNET.11) and lb2 (.12), in a fresh lab: one
/// configuration file for both, as operators deploy it, and a notify socket each.
/// The caller destroys `lab` (`defer { pair.lab.destroy() }`).
struct HAPairLab {
    let lab: NamespaceLab
    let file: String
    let notify1: RunNotifySocket
    let notify2: RunNotifySocket

    /// Nil without root, after saying so.
    static func make(subnet: Int, configuration: String) throws -> HAPairLab? {
        guard getuid() == 0 else {
            print("skipped: needs root")
            return nil
        }
        let lab = try NamespaceLab(tag: "ha", hosts: [("lb1", "198.18.\(subnet).11/24"), ("lb2", "198.18.\(subnet).12/24")])
        do {
            return HAPairLab(
                lab: lab, file: try lab.writeFile("hactl.conf", configuration), notify1: try RunNotifySocket(),
                notify2: try RunNotifySocket())
        } catch {
            lab.destroy()
            throw error
        }
    }
}
