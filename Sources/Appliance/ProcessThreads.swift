import NIOCore

/// The process's shared threads, sized once before any service starts.
///
/// NIO's singleton event loop group carries the control plane's sockets only (the control
/// server, the liveness probe, SMTP alerts): a few messages a second. By default it starts one
/// thread per core, each with its stack and, once it allocates, its malloc arena; one thread
/// is enough (issue 12: threads of an idle node). The proxy's and VRRP's loops are their own.
public enum ProcessThreads {
    /// The singleton group's size; must run before anything touches `MultiThreadedEventLoopGroup.singleton`.
    public static func useOneControlPlaneLoop() {
        NIOSingletons.groupLoopCountSuggestion = 1
    }
}
