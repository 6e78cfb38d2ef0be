import Foundation
import PackagePlugin

/// Compiles text files into the target as Swift source, so the binary carries them wherever it
/// runs: the package's `Schema/*.sql` migrations for `ZhengsheStore` (`EmbeddedSchema.files`),
/// a target's own `openapi.yaml` (`EmbeddedOpenAPI.files`), which the service serves, and a
/// target's `*.mustache` templates (`EmbeddedTemplates.files`).
@main
struct FileEmbedder: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let sources = (target as? SourceModuleTarget)?.sourceFiles.map(\.url) ?? []
        let document = sources.first { $0.lastPathComponent == "openapi.yaml" }
        let templates = sources.filter { $0.pathExtension == "mustache" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
        let (name, files): (String, [URL])
        if let document {
            (name, files) = ("EmbeddedOpenAPI", [document])
        } else if !templates.isEmpty {
            (name, files) = ("EmbeddedTemplates", templates)
        } else {
            let schema = context.package.directoryURL.appending(path: "Schema")
            (name, files) = (
                "EmbeddedSchema",
                try FileManager.default
                    .contentsOfDirectory(at: schema, includingPropertiesForKeys: nil)
                    .filter { $0.pathExtension == "sql" }
                    .sorted { $0.lastPathComponent < $1.lastPathComponent }
            )
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "\(name).swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.map(\.lastPathComponent).joined(separator: ", ")) as \(name)",
                executable: try context.tool(named: "FileEmbedderTool").url,
                arguments: [output.path, name] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }
}
