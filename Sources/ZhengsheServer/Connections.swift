#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many HTTP connections the server holds at once, and for how long an idle one.
///
/// Every connection is an open file. At the file limit, accepting fails and keeps failing, and
/// the server spins while nothing is served (seen with a thousand idle connections under systemd's
/// usual limit of 1,024). So idle and stalled connections are closed after ``idleTimeout``, and no
/// more connections are accepted than the file limit leaves room for (after what the database
/// connections, the log and the embedded cluster's pipes need): further clients wait in the
/// listen queue until a connection closes, rather than fail.
public struct Connections: Sendable, Hashable {
    /// An open connection with no request for this long is closed.
    public var idleTimeout: Duration
    /// Connections accepted at most at once.
    public var maximum: Int

    /// Files kept for everything that is not an HTTP connection.
    public static let reservedFiles = 256

    /// - Parameter maximum: a cap asked for (`HTTP_MAX_CONNECTIONS`); never more than the file
    ///   limit leaves room for (``requestedMaximumLowered`` says when it was lowered).
    public init(idleTimeout: Duration = .seconds(60), maximum: Int? = nil) {
        self.idleTimeout = idleTimeout
        let fitting = Self.fitting(fileLimit: Self.raiseFileLimit())
        self.maximum = min(maximum ?? fitting, fitting)
        self.requestedMaximumLowered = maximum.map { $0 > fitting } ?? false
    }

    /// The cap asked for was above what the file limit leaves room for, and was lowered to it.
    public var requestedMaximumLowered: Bool

    /// Below `fileLimit` by ``reservedFiles``, and at least 16.
    public static func fitting(fileLimit: Int) -> Int { max(16, fileLimit - reservedFiles) }

    /// Raises the soft limit on open files to the hard one (as far as the system allows) and returns
    /// the soft limit in force.
    @discardableResult
    public static func raiseFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = min(limit.rlim_max, 1 << 20)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }
}
