/// The version `hactl version` prints.
public enum ApplianceVersion {
    public static let current = "0.1.0"
}
