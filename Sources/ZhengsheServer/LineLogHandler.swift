public import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Log lines on standard error in swift-log's `StreamLogHandler` format (`<time> <level> <label>:
/// <metadata> [<source>] <message>`), with the metadata rendered when a line is written rather
/// than each time a key is set.
///
/// PostgresNIO sets a key on its logger for every query, Hummingbird one for every request, and
/// `StreamLogHandler` sorts and joins all of its metadata on each set: 2–3 % of `serve`'s CPU while
/// filing, for lines that are almost never written (`perf record -g -p` at 8 clients).
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String

    public init(label: String, metadataProvider: Logger.MetadataProvider?) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        emit(Self.line(time: Self.timestamp(), event: event, label: label,
                        metadata: Self.effective(metadata, provided: metadataProvider?.get(), event: event)))
    }

    /// The handler's metadata, then the provider's, then the line's own, then its error's.
    static func effective(_ base: Logger.Metadata, provided: Logger.Metadata?, event: LogEvent) -> Logger.Metadata {
        var metadata = base
        if let provided, !provided.isEmpty { metadata.merge(provided) { _, new in new } }
        if let explicit = event.metadata, !explicit.isEmpty { metadata.merge(explicit) { _, new in new } }
        if let error = event.error {
            metadata["error.message"] = "\(error)"
            metadata["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        return metadata
    }

    static func line(time: String, event: LogEvent, label: String, metadata: Logger.Metadata) -> String {
        let rendered = metadata.isEmpty ? "" : " " + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "\(time) \(event.level)\(label.isEmpty ? "" : " ")\(label):\(rendered) [\(event.source)] \(event.message)\n"
    }

    /// Local time to the second with its offset, as `StreamLogHandler` writes it.
    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        guard localtime_r(&now, &parts) != nil else { return "<unknown>" }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// One line in one `write(2)` on standard error (a pipe or a file opened for appending takes it
    /// whole), so that lines of concurrent tasks do not interleave; no `FILE` shared between threads.
    private func emit(_ line: String) {
        var line = line
        line.withUTF8 { bytes in
            guard var next = bytes.baseAddress else { return }
            var left = bytes.count
            while left > 0 {
                let written = write(2, next, left)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                next += written
                left -= written
            }
        }
    }
}
