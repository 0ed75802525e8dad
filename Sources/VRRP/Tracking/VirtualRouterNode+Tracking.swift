import Glibc
import NIOCore
import Netlink

/// keepalived's tracking for one instance: `track_script` (vrrp_script with rise/fall),
/// `track_interface` and the instance's own interface, `track_file`, and `track_proxy`.
/// Each verdict goes into `TrackedPriority`; the result feeds the state machine.
extension VirtualRouterNode {
    func startTrackers() {
        if plan.trackPrimaryInterface {
            tracking.set("interface \(interface.name)", .status(up: interface.isUp, weight: 0))
        }
        for tracked in plan.interfaces {
            let up = NetworkInterface(name: tracked.name)?.isUp ?? false
            tracking.set("track_interface \(tracked.name)", .status(up: up != tracked.reverse, weight: tracked.weight))
        }
        if plan.trackProxy, tracking.contributions["track_proxy"] == nil {
            tracking.set("track_proxy", .status(up: true, weight: 0))
        }
        for file in plan.files {
            let sign = file.reverse ? -1 : 1
            tracking.set(
                "track_file \(file.config.name)", .fileValue(sign * Self.readValue(file.config.path), weight: file.weight))
            let task = eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { [weak self] _ in
                guard let self else { return }
                let value = sign * Self.readValue(file.config.path)
                let name = "track_file \(file.config.name)"
                if case .fileValue(value, _) = self.tracking.contributions[name] { return }
                self.setTracker(name, .fileValue(value, weight: file.weight), reason: "\(file.config.path) holds \(value)")
            }
            trackerTasks.append(task)
        }
        for script in plan.scripts {
            scheduleScript(script)
        }
        applyTracking(reason: nil)
    }

    /// Records a tracker's new verdict, publishes what it did (its effect, the priority, every
    /// term) and applies the result.
    func setTracker(_ name: String, _ contribution: TrackedPriority.Contribution, reason: String) {
        guard tracking.contributions[name] != contribution else { return }
        let change = tracking.set(name, contribution)
        environment.bus.post(.trackerChanged(change.event(instance: plan.name, reason: reason)))
        guard change.term == .fault else { return applyTracking(reason: nil) }
        let why: String
        switch contribution {
        case .status where name.hasPrefix("vrrp_witness"): why = "\(name): isolated, \(reason)"
        case .status: why = "\(name) \(name.hasPrefix("track_script") ? "failed" : "down")"
        case .fileValue: why = "\(name) is FAULT (\(reason))"
        case .syncGroupPeer: why = "\(name) down (\(reason))"
        }
        applyTracking(reason: why)
    }

    func applyTracking(reason: String?) {
        guard !stopped else { return }
        let now = NIODeadline.now()
        let faults = tracking.faults
        if !faults.isEmpty && !machine.faulted {
            let why = reason.flatMap { text in faults.contains { text.hasPrefix($0) } ? text : nil }
            run(machine.faultDetected(reason: why ?? "\(faults[0]) down", now: now))
        }
        run(machine.priorityChanged(to: tracking.effectivePriority, now: now))
        if faults.isEmpty && machine.faulted {
            run(machine.faultCleared(now: now))
        }
        syncGroup?.ownFaultsChanged(self, faults: tracking.ownFaults)
    }

    func linkChanged(index: UInt32, up: Bool) {
        if plan.trackPrimaryInterface && index == interface.index {
            setTracker("interface \(interface.name)", .status(up: up, weight: 0), reason: up ? "link up" : "link down")
        }
        for tracked in plan.interfaces where NetworkInterface(name: tracked.name)?.index == index {
            setTracker(
                "track_interface \(tracked.name)", .status(up: up != tracked.reverse, weight: tracked.weight),
                reason: up ? "link up" : "link down")
        }
    }

    func proxyHealthChanged(up: Bool, reason: String) {
        guard plan.trackProxy else { return }
        setTracker("track_proxy", .status(up: up, weight: 0), reason: reason)
    }

    func scheduleScript(_ script: InstancePlan.Script) {
        let name = "track_script \(script.config.name)"
        scriptCounters[name] = RiseFallCounter(rise: script.config.rise, fall: script.config.fall)
        let interval = TimeAmount(script.config.interval)
        let timeout = TimeAmount(script.config.timeout ?? script.config.interval)
        let running = NIOLoopBoundBox(false, eventLoop: eventLoop)
        let task = eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: interval) { [weak self] _ in
            guard let self, !running.value, !self.stopped else { return }
            running.value = true
            ScriptProcess.run(
                script.config.command.argv, timeout: timeout, on: self.eventLoop).whenSuccess { [weak self] outcome in
                running.value = false
                guard let self, !self.stopped else { return }
                guard let verdict = self.scriptCounters[name]?.record(success: outcome.succeeded) else { return }
                self.setTracker(
                    name, .status(up: verdict != script.reverse, weight: script.weight),
                    reason: verdict ? "succeeded" : outcome.description)
            }
        }
        trackerTasks.append(task)
    }

    /// A track_file's integer; a missing or unreadable file counts as 0.
    static func readValue(_ path: String) -> Int {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return 0 }
        let text = String(decoding: buffer.prefix(count), as: UTF8.self).trimmingPrefix(while: \.isWhitespace)
        return Int(text.prefix { $0 == "-" || $0.isNumber }) ?? 0
    }
}
