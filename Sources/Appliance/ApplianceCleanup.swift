import HAConfig
public import VRRP

/// `hactl cleanup`: the VIPs a node that died without resigning left behind, removed
/// (`VRRPEngine.removeVirtualAddresses(of:)`). Only the files are read: the proxy part of the
/// configuration is not checked, so a node whose file the proxy would refuse still loses its VIPs.
public enum ApplianceCleanup {
    public static func removeVirtualAddresses(files: [String], environment: [String: String]) throws
        -> VRRPEngine.CleanupReport
    {
        let configuration = try ConfigurationLoader.load(files: files, environment: environment)
        return try VRRPEngine.removeVirtualAddresses(of: configuration)
    }
}
