import Foundation

/// Splits a SQL script into statements, because the extended query protocol that PostgresNIO
/// speaks takes one statement at a time.
///
/// It knows what can hide a semicolon: 'strings' (with '' escapes), "identifiers",
/// -- line comments, /* nested block comments */ and $tag$ dollar quotes $tag$.
enum SQLScript {
    static func statements(_ script: String) -> [String] {
        let s = Array(script.unicodeScalars)
        var statements: [String] = []
        var start = 0
        var i = 0

        func peek(_ offset: Int) -> Unicode.Scalar? { i + offset < s.count ? s[i + offset] : nil }
        func flush(_ end: Int) {
            let text = String(String.UnicodeScalarView(s[start..<end]))
            if !isBlank(text) { statements.append(text.trimmingWhitespace()) }
        }

        while i < s.count {
            let c = s[i]
            switch c {
            case "'", "\"":
                i += 1
                while i < s.count {
                    if s[i] == c {
                        if peek(1) == c { i += 2; continue }  // doubled quote
                        break
                    }
                    i += 1
                }
                i += 1
            case "-" where peek(1) == "-":
                while i < s.count && s[i] != "\n" { i += 1 }
            case "/" where peek(1) == "*":
                var depth = 0
                while i < s.count {
                    if s[i] == "/" && peek(1) == "*" { depth += 1; i += 2; continue }
                    if s[i] == "*" && peek(1) == "/" { depth -= 1; i += 2; if depth == 0 { break }; continue }
                    i += 1
                }
            case "$":
                // $tag$ where tag is empty or an identifier; $1 is a parameter, not a quote.
                var j = i + 1
                while j < s.count, s[j] == "_" || s[j].properties.isAlphabetic || (j > i + 1 && ("0"..."9").contains(s[j])) {
                    j += 1
                }
                if j < s.count && s[j] == "$" {
                    let tag = Array(s[i...j])
                    var k = j + 1
                    while k + tag.count <= s.count && Array(s[k..<(k + tag.count)]) != tag { k += 1 }
                    i = min(k + tag.count, s.count)
                } else {
                    i += 1
                }
            case ";":
                flush(i)
                i += 1
                start = i
            default:
                i += 1
            }
        }
        flush(s.count)
        return statements
    }

    /// True when the text has nothing but white space and comments.
    private static func isBlank(_ text: String) -> Bool {
        var rest = Substring(text)
        while true {
            rest = rest.drop { $0.isWhitespace }
            if rest.hasPrefix("--") {
                rest = rest.drop { $0 != "\n" }
            } else if rest.hasPrefix("/*"), let end = rest.range(of: "*/") {
                rest = rest[end.upperBound...]
            } else {
                return rest.isEmpty
            }
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        String(self.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
