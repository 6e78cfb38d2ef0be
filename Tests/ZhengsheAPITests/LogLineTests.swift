import Logging
import Synchronization
import Testing
@testable import ZhengsheServer

/// `serve`'s log lines read as swift-log's `StreamLogHandler` wrote them (operators' filters and
/// the fault suite's log reading depend on it), though the metadata is rendered only per line.
@Suite struct LogLineTests {
    final class Captured: TextOutputStream, Sendable {
        let text = Mutex("")
        func write(_ string: String) { text.withLock { $0 += string } }
    }

    struct Stream: TextOutputStream, Sendable {
        let captured: Captured
        mutating func write(_ string: String) { captured.write(string) }
    }

    /// The line after its timestamp (both handlers read the clock on their own).
    static func untimed(_ line: String) -> Substring { line.drop { $0 != " " } }

    @Test func aLineReadsAsStreamLogHandlerWritesIt() throws {
        struct Failure: Error, CustomStringConvertible { var description: String { "connection reset" } }
        let cases: [(Logger.Metadata, Logger.Metadata?, (any Error)?)] = [
            ([:], nil, nil),
            (["request_id": "r-1", "psql_connection_id": "7"], nil, nil),
            (["b": "2", "a": "1"], ["a": "override", "c": ["x", "y"]], nil),
            (["stream": "agreement-320412001001-2026"], nil, Failure()),
        ]
        for (base, explicit, error) in cases {
            let captured = Captured()
            var reference = StreamLogHandler(label: "zhengshe", stream: Stream(captured: captured), metadataProvider: nil)
            var ours = LineLogHandler(label: "zhengshe", metadataProvider: nil)
            for (key, value) in base {
                reference[metadataKey: key] = value
                ours[metadataKey: key] = value
            }
            let event = LogEvent(level: .warning, message: "projection runner: polling", error: error, metadata: explicit,
                                 source: "ZhengsheStore", file: #fileID, function: #function, line: #line)
            reference.log(event: event)
            let line = LineLogHandler.line(time: LineLogHandler.timestamp(), event: event, label: "zhengshe",
                                           metadata: LineLogHandler.effective(ours.metadata, provided: nil, event: event))
            let written = captured.text.withLock { $0 }
            #expect(Self.untimed(line) == Self.untimed(written), "\(base) \(String(describing: explicit))")
            #expect(line.hasSuffix("[ZhengsheStore] projection runner: polling\n"))
        }
    }
}
