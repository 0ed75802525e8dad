import NIOCore

extension VRRPEngine {
    /// hactl's peer channel closed with a FIN or RST (not a silence): every instance checks for a
    /// crashed peer (`VRRPStateMachine.peerLinkClosed`). `peerMasterInstances` are the instances
    /// the peer's last health report called MASTER: only those may be taken over early.
    public func peerLinkClosed(peerMasterInstances: Set<String>) {
        for node in currentNodes {
            node.eventLoop.execute {
                guard !node.stopped else { return }
                let wasMaster = peerMasterInstances.contains(node.plan.name)
                node.run(node.machine.peerLinkClosed(now: .now(), peerWasMaster: wasMaster))
            }
        }
    }
}

extension VRRPEngine {
    /// hactl's peer channel came up or went down: for `vrrp_witness`, an up channel is proof
    /// that the peer is reachable (a MASTER hears no adverts from its backup).
    public func peerLinkChanged(up: Bool) {
        for node in currentNodes {
            node.eventLoop.execute {
                guard !node.stopped else { return }
                node.peerLinkChanged(up: up)
            }
        }
    }
}
