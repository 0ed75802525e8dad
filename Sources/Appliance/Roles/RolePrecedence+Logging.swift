import Logging

extension RolePrecedence.Override {
    /// Logs the override once, with its fields as metadata (CONFIG.md: "An override is logged once").
    func log(to logger: Logger) {
        logger.notice("role default overridden", metadata: [
            "instance": "\(instance)", "setting": "\(setting.rawValue)",
            "value": "\(value)", "source": "\(source)", "replaces": "\(replaces)",
        ])
    }
}
