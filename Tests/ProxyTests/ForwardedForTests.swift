import NIOCore
import Testing
@testable import Proxy

/// `option forwardfor` set in the frontend, the backend or both, as HAProxy 2.6 combines them
/// (checked side by side with HAProxy: the backend's `header` wins, `if-none` needs every side).
@Suite struct ForwardedForTests {
    static let client = try! SocketAddress(ipAddress: "198.18.0.7", port: 40000)

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var frontend: ForwardForPlan?
        var backend: ForwardForPlan?
        var clientSends: [String]
        var expected: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "neither side", frontend: nil, backend: nil, clientSends: [], expected: nil),
        Case(name: "frontend only", frontend: ForwardForPlan(), backend: nil, clientSends: [], expected: "X-Forwarded-For"),
        Case(name: "backend only", frontend: nil, backend: ForwardForPlan(header: "X-B"), clientSends: [], expected: "X-B"),
        Case(name: "backend's header wins over the frontend's", frontend: ForwardForPlan(header: "X-A"),
             backend: ForwardForPlan(header: "X-B"), clientSends: ["X-B"], expected: "X-B"),
        Case(name: "frontend if-none, plain backend: added although the client sent one",
             frontend: ForwardForPlan(ifNone: true), backend: ForwardForPlan(), clientSends: ["X-Forwarded-For"], expected: "X-Forwarded-For"),
        Case(name: "if-none on both sides and the client sent one", frontend: ForwardForPlan(ifNone: true),
             backend: ForwardForPlan(ifNone: true), clientSends: ["X-Forwarded-For"], expected: nil),
        Case(name: "if-none and the client sent none", frontend: ForwardForPlan(ifNone: true), backend: nil,
             clientSends: [], expected: "X-Forwarded-For"),
        Case(name: "source in the frontend's except network", frontend: ForwardForPlan(except: CIDR("198.18.0.0/24")),
             backend: ForwardForPlan(), clientSends: [], expected: nil),
        Case(name: "source in the backend's except network", frontend: nil,
             backend: ForwardForPlan(except: CIDR("198.18.0.0/15")), clientSends: [], expected: nil),
        Case(name: "source outside except", frontend: ForwardForPlan(except: CIDR("203.0.113.0/24")), backend: nil,
             clientSends: [], expected: "X-Forwarded-For"),
    ]

    @Test(arguments: cases)
    func test_forwardfor_addsTheHeaderHAProxyWould(_ c: Case) {
        let fields = HTTPFields(c.clientSends.map { HTTPField(name: $0, value: "spoofed") })
        #expect(ForwardedFor.header(frontend: c.frontend, backend: c.backend, source: Self.client, fields: fields) == c.expected)
    }
}
