import Appliance
import NIOCore
import Testing

@Suite struct RestartPolicyTests {
    let t0 = NIODeadline.uptimeNanoseconds(0)
    let tuning = RestartPolicy.Tuning(
        initialBackoff: .milliseconds(100), maximumBackoff: .seconds(1),
        stablePeriod: .seconds(30), burstLimit: 5, burstWindow: .seconds(60)
    )

    @Test func test_firstStop_restartsAfterInitialBackoff() {
        var policy = RestartPolicy(tuning: tuning)
        policy.serviceStarted(now: t0)
        #expect(policy.serviceStopped(now: t0 + .seconds(1)) == .restart(at: t0 + .seconds(1) + .milliseconds(100), attempt: 1))
    }

    @Test func test_quickRepeatedStops_doubleTheBackoffUpToTheMaximum() {
        var policy = RestartPolicy(tuning: .init(initialBackoff: .milliseconds(100), maximumBackoff: .milliseconds(350), burstLimit: 100))
        var now = t0
        var delays: [Int64] = []
        for _ in 0..<5 {
            policy.serviceStarted(now: now)
            now = now + .milliseconds(10)
            guard case .restart(let at, _) = policy.serviceStopped(now: now) else {
                Issue.record("gave up")
                return
            }
            delays.append((at - now).nanoseconds / 1_000_000)
            now = at
        }
        #expect(delays == [100, 200, 350, 350, 350])
    }

    @Test func test_runningForTheStablePeriod_resetsTheBackoff() {
        var policy = RestartPolicy(tuning: tuning)
        policy.serviceStarted(now: t0)
        _ = policy.serviceStopped(now: t0 + .seconds(1))
        policy.serviceStarted(now: t0 + .seconds(2))
        _ = policy.serviceStopped(now: t0 + .seconds(3))
        #expect(policy.consecutiveRestarts == 2)
        policy.serviceStarted(now: t0 + .seconds(4))
        let stop = t0 + .seconds(4) + .seconds(30)
        #expect(policy.serviceStopped(now: stop) == .restart(at: stop + .milliseconds(100), attempt: 1))
    }

    @Test func test_moreStopsThanTheBurstLimitWithinTheWindow_giveUp() {
        var policy = RestartPolicy(tuning: tuning)
        var now = t0
        for _ in 0..<5 {
            policy.serviceStarted(now: now)
            now = now + .seconds(1)
            guard case .restart = policy.serviceStopped(now: now) else {
                Issue.record("gave up too early")
                return
            }
        }
        policy.serviceStarted(now: now)
        #expect(policy.serviceStopped(now: now + .seconds(1)) == .giveUp(reason: "stopped 6 times within 60s"))
    }

    @Test func test_stopsOlderThanTheBurstWindow_doNotCountTowardsTheLimit() {
        var policy = RestartPolicy(tuning: tuning)
        var now = t0
        for _ in 0..<5 {
            policy.serviceStarted(now: now)
            now = now + .seconds(1)
            _ = policy.serviceStopped(now: now)
        }
        now = now + .seconds(61)
        policy.serviceStarted(now: now)
        guard case .restart = policy.serviceStopped(now: now + .seconds(1)) else {
            Issue.record("old stops were counted")
            return
        }
    }
}
