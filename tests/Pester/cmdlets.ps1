# The one list of OomTools' cmdlets: CmdletsToExport in the module manifest (module/OomTools.psd1).
# Everything else derives from it: common.ps1's $OomCmdletNames, the cases of Module.Meta.Tests.ps1 (one per
# cmdlet), and its checks of the help pages, the test files and the README's cmdlet table. Module.Meta.Tests.ps1
# also checks the list against the [Cmdlet] classes of the built assembly, so a cmdlet added to the code but
# not to the manifest (or the other way round) fails the run.
#
# It reads the manifest as data and imports nothing, so BeforeDiscovery can dot-source it too.
$script:OomManifestSourcePath = (Resolve-Path (Join-Path $PSScriptRoot '../../module/OomTools.psd1')).Path
$script:OomCmdletNames = @((Import-PowerShellDataFile -LiteralPath $script:OomManifestSourcePath).CmdletsToExport)
