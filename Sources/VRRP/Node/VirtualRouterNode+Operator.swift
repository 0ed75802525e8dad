import NIOCore

/// `hactl failover` on one node: the state machine decides (`operatorFailover`), the node runs
/// the actions and words the outcome for the operator.
extension VirtualRouterNode {
    func failover(force: Bool) -> FailoverOutcome {
        eventLoop.preconditionInEventLoop()
        let before = machine.state
        let previousMaster = Self.describeMaster(machine: machine)
        let (decision, actions) = machine.operatorFailover(force: force, now: .now())
        run(actions)
        let result: FailoverOutcome.Result
        let message: String
        switch decision {
        case .handedOver:
            result = .handedOver
            message =
                "handed the VIPs over with a priority-0 advert; held in BACKUP at priority \(OperatorHold.heldDownPriority) "
                + "(any live peer wins; the VIPs come back here only if no router advertises) until `hactl failover --clear` or a restart"
        case .tookOver(let priority):
            result = .tookOver
            let from = before == .backup ? " from \(previousMaster)" : ""
            message =
                "took the VIPs\(from): advertising priority \(priority), above the master's, which yields by RFC 9568 §6.4.3; "
                + "held as MASTER (nopreempt notwithstanding) until `hactl failover --clear` or a restart"
        case .refused(let refusal):
            result = .refused
            message = Self.explain(refusal, faults: tracking.faults)
        }
        logger.notice(
            "operator failover",
            metadata: ["force": "\(force)", "result": "\(result.rawValue)", "from": "\(before)", "to": "\(machine.state)"])
        return FailoverOutcome(
            instance: plan.name, result: result, previousState: before.rawValue, newState: machine.state.rawValue,
            priority: Int(machine.priority), message: message)
    }

    func clearFailover() -> FailoverOutcome {
        eventLoop.preconditionInEventLoop()
        let before = machine.state
        let hold = machine.operatorHold
        run(machine.clearOperatorHold(now: .now()))
        let message: String
        switch hold {
        case nil:
            message = "no failover hold on this instance; nothing changed"
        case .heldDown:
            message =
                "hold lifted: back to priority \(machine.priority); with preemption a higher priority than the master's "
                + "takes the VIPs back after Master_Down_Interval"
        case .forced:
            message = "hold lifted: advertising priority \(machine.priority) again; a peer with a higher priority takes the VIPs back"
        }
        if hold != nil { logger.notice("operator failover cleared", metadata: ["priority": "\(machine.priority)"]) }
        return FailoverOutcome(
            instance: plan.name, result: hold == nil ? .notHeld : .cleared, previousState: before.rawValue,
            newState: machine.state.rawValue, priority: Int(machine.priority), message: message)
    }

    static func describeMaster(machine: VRRPStateMachine) -> String {
        guard let address = machine.masterAddress else { return "no master heard yet" }
        return "\(address) (priority \(machine.masterPriority.map { "\($0)" } ?? "?"))"
    }

    /// The refusal in a sentence an operator understands at 3 a.m.
    static func explain(_ refusal: FailoverRefusal, faults: [String]) -> String {
        switch refusal {
        case .noLivePeer(let milliseconds):
            let seconds = "\(milliseconds / 1000).\(milliseconds % 1000 / 100)"
            return "refused: no peer has advertised within Master_Down_Interval (\(seconds) s), so nobody may take the VIPs; "
                + "--force hands over anyway"
        case .backupNeedsForce(let master, let masterPriority, let priority):
            let current = master.map { "the master is \($0) (priority \(masterPriority.map { "\($0)" } ?? "?"))" } ?? "no master heard yet"
            return "refused: this node is BACKUP and \(current); --force takes the VIPs: it advertises priority \(priority) "
                + "and becomes MASTER at once, even with nopreempt, until `hactl failover --clear`"
        case .masterIsAddressOwner(let master):
            return "refused: the master \(master) is the address owner (priority 255); no priority outranks it, nothing changed"
        case .masterWinsTie(let master):
            return "refused: the master \(master) advertises 254, the most a non-owner may, and wins the tie on its higher "
                + "address (RFC 9568 §6.4.3); nothing changed"
        case .inFault:
            return "refused: the instance is in FAULT (\(faults.joined(separator: ", "))); it can neither hand over nor take the VIPs"
        case .notRunning:
            return "refused: the instance is not running"
        }
    }
}
