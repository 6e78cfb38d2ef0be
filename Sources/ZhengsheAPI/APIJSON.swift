import Foundation
import OpenAPIRuntime

/// The JSON conventions of this API, in one place: keys sorted, slashes unescaped, times in RFC 3339
/// with China Standard Time's offset (`2026-03-31T10:00:00.000+08:00`). The generated server encodes
/// every answer with ``configuration``; problems go through ``encoder``, which agrees with it.
enum APIJSON {
    static let configuration = Configuration(dateTranscoder: ShanghaiTime(), jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes])

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ShanghaiTime.format(date))
        }
        return encoder
    }()
}

/// Instants as RFC 3339 in China Standard Time, with a colon in the offset (strict clients such as
/// Go's `time.RFC3339` reject `+0800`); read back with or without fractional seconds, any offset.
struct ShanghaiTime: DateTranscoder {
    static let output = Date.ISO8601FormatStyle(
        timeZoneSeparator: .colon, includingFractionalSeconds: true, timeZone: TimeZone(identifier: "Asia/Shanghai")!)
    static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    static let withoutFraction = Date.ISO8601FormatStyle()

    static func format(_ date: Date) -> String { output.format(date) }

    func encode(_ date: Date) throws -> String { Self.format(date) }

    func decode(_ text: String) throws -> Date {
        if let date = try? Self.withFraction.parse(text) { return date }
        if let date = try? Self.withoutFraction.parse(text) { return date }
        throw NotATimestamp(text: text)
    }
}

/// A request's time that is not RFC 3339 with an offset. The only time a request carries is a
/// filing's `occurredAt`.
struct NotATimestamp: Error {
    var text: String
}
