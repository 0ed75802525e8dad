import HAConfig
import Logging

extension ConfigWarning {
    /// One warning line at start or reload, with the place it points at.
    func log(to logger: Logger) {
        logger.warning("configuration warning", metadata: [
            "location": "\(location)", "keyword": "\(keyword)", "detail": "\(message)",
        ])
    }
}
