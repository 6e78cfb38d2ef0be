import Foundation
import Testing

/// A real browser and the PDF tools, for checking printed pages: headless Chromium (Debian's
/// `chromium`) and poppler's `pdfinfo`, `pdftotext` and `pdftoppm`, as `deploy/setup.sh` installs
/// them.
enum Browser {
    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    /// The first of the names found on PATH.
    static func find(_ names: [String]) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in names {
            for folder in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
                return "\(folder)/\(name)"
            }
        }
        return nil
    }

    /// Runs `tool` and answers its standard output; a failure says what it printed.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) async throws -> String {
        guard let executable = tool.hasPrefix("/") ? tool : find([tool]) else {
            throw Failed(description: "\(tool) is not installed: run deploy/setup.sh (it installs chromium, poppler-utils and fonts-noto-cjk)")
        }
        // Output goes to files and the exit is awaited through the termination handler: no thread
        // of the (two-thread) cooperative pool blocks while Chromium prints.
        let folder = FileManager.default.temporaryDirectory.appending(path: "zhengshe-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (outURL, errURL) = (folder.appending(path: "out"), folder.appending(path: "err"))
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        // A tool that never finishes (a browser stuck on a page) is ended after two minutes, so
        // that the test fails rather than waits without end: the wait below cannot be cancelled.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(120))
            if process.isRunning { process.terminate() }
        }
        defer { watchdog.cancel() }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        guard status == 0 else {
            let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
            throw Failed(description: "\(tool) \(arguments.joined(separator: " ")) exited \(status): \(err)")
        }
        return (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
    }

    /// Prints the page at `html` to `pdf` as Chromium prints it (A4 from the page's own CSS, no
    /// header or footer).
    static func printToPDF(_ html: String, _ pdf: String) async throws {
        guard let chromium = find(["chromium", "chromium-browser", "google-chrome"]) else {
            throw Failed(description: "no Chromium: run deploy/setup.sh (it installs Debian's chromium)")
        }
        let profile = FileManager.default.temporaryDirectory.appending(path: "zhengshe-chromium-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: profile) }
        // No sandbox: the tests may run as root, where Chromium's sandbox refuses to start.
        try await run(chromium, [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=\(profile)",
            "--no-pdf-header-footer", "--print-to-pdf=\(pdf)", "file://\(html)",
        ])
        guard FileManager.default.fileExists(atPath: pdf) else { throw Failed(description: "Chromium wrote no PDF for \(html)") }
    }
}
