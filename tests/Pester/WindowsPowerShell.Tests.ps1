# Windows PowerShell 5.1 (the Desktop edition the manifest promises) cannot run here, so what it needs is
# checked on the staged module (out/OomTools, `./build.ps1 Build`) without it: text files that read right in
# the ANSI code page 5.1 falls back to, assemblies that load on .NET Framework, a manifest 5.1 accepts, and
# scripts in 5.1's grammar. Nothing here imports the module.

BeforeAll {
    $script:ModuleOut = (Resolve-Path (Join-Path $PSScriptRoot '../../out/OomTools')).Path
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:AddUtf8Bom = Join-Path $RepoRoot 'module/Add-Utf8Bom.ps1'
    $script:Binary = '.dll', '.pdb', '.exe', '.nupkg'

    function Get-Relative([string]$Path) { [System.IO.Path]::GetRelativePath($script:ModuleOut, $Path) }

    function Test-Utf8Bom([byte[]]$Bytes) {
        $Bytes.Length -ge 3 -and $Bytes[0] -eq 0xEF -and $Bytes[1] -eq 0xBB -and $Bytes[2] -eq 0xBF
    }

    # The shipped text files: everything staged but assemblies and symbols.
    function Get-ShippedTextFile {
        Get-ChildItem -LiteralPath $script:ModuleOut -File -Recurse | Where-Object Extension -NotIn $script:Binary
    }

    #region Assembly metadata, read with System.Reflection.Metadata (never loaded)
    # Name, version and public key token of an assembly and of each assembly it references, and the framework
    # its TargetFrameworkAttribute names ('' when it has none).
    function Get-AssemblyMetadata([string]$Path) {
        $stream = [System.IO.File]::OpenRead($Path)
        $pe = [System.Reflection.PortableExecutable.PEReader]::new($stream)
        try {
            $md = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
            $definition = $md.GetAssemblyDefinition()
            $identity = [pscustomobject]@{
                Name    = $md.GetString($definition.Name)
                Version = $definition.Version
                Token   = Get-PublicKeyToken ($md.GetBlobBytes($definition.PublicKey))
            }
            $references = foreach ($handle in $md.AssemblyReferences) {
                $r = $md.GetAssemblyReference($handle)
                $key = $md.GetBlobBytes($r.PublicKeyOrToken)
                # A reference holds the 8-byte token, unless its PublicKey flag says it holds the full key.
                $token = if ($r.Flags.HasFlag([System.Reflection.AssemblyFlags]::PublicKey)) { Get-PublicKeyToken $key } else { [System.Convert]::ToHexString($key).ToLowerInvariant() }
                [pscustomobject]@{ Name = $md.GetString($r.Name); Version = $r.Version; Token = $token }
            }
            $framework = ''
            foreach ($handle in $definition.GetCustomAttributes()) {
                $attribute = $md.GetCustomAttribute($handle)
                if ((Get-AttributeTypeName $md $attribute) -ne 'System.Runtime.Versioning.TargetFrameworkAttribute') { continue }
                $framework = Read-FirstStringArgument ($md.GetBlobBytes($attribute.Value))
            }
            [pscustomobject]@{ Identity = $identity; References = @($references); TargetFramework = $framework }
        } finally {
            $pe.Dispose(); $stream.Dispose()
        }
    }

    # The token is the last 8 bytes of the SHA-1 of the public key, reversed ('' for an unsigned assembly).
    function Get-PublicKeyToken([byte[]]$Key) {
        if (-not $Key -or -not $Key.Length) { return '' }
        $hash = [System.Security.Cryptography.SHA1]::HashData($Key)
        $token = $hash[($hash.Length - 1)..($hash.Length - 8)]
        [System.Convert]::ToHexString([byte[]]$token).ToLowerInvariant()
    }

    # The full name of an attribute's type, through its constructor (a reference to another assembly's type, or
    # a type of this one); '' for anything else (a generic attribute).
    function Get-AttributeTypeName($Md, $Attribute) {
        $ctor = $Attribute.Constructor
        if ($ctor.Kind -eq 'MethodDefinition') {
            $type = $Md.GetTypeDefinition($Md.GetMethodDefinition([System.Reflection.Metadata.MethodDefinitionHandle]$ctor).GetDeclaringType())
        } elseif ($ctor.Kind -eq 'MemberReference') {
            $parent = $Md.GetMemberReference([System.Reflection.Metadata.MemberReferenceHandle]$ctor).Parent
            if ($parent.Kind -ne 'TypeReference') { return '' }
            $type = $Md.GetTypeReference([System.Reflection.Metadata.TypeReferenceHandle]$parent)
        } else { return '' }
        "$($Md.GetString($type.Namespace)).$($Md.GetString($type.Name))"
    }

    # A custom attribute blob: prolog 0x0001, then a string argument as a compressed length and UTF-8 bytes.
    function Read-FirstStringArgument([byte[]]$Blob) {
        if ($Blob.Length -lt 3 -or $Blob[0] -ne 1 -or $Blob[1] -ne 0) { return '' }
        $b = $Blob[2]
        if ($b -eq 0xFF) { return '' }   # a null string
        if (($b -band 0x80) -eq 0) { $length = $b; $start = 3 }
        elseif (($b -band 0xC0) -eq 0x80) { $length = (($b -band 0x3F) -shl 8) -bor $Blob[3]; $start = 4 }
        else { $length = (($b -band 0x1F) -shl 24) -bor ($Blob[3] -shl 16) -bor ($Blob[4] -shl 8) -bor $Blob[5]; $start = 6 }
        [System.Text.Encoding]::UTF8.GetString($Blob, $start, $length)
    }

    # What an assembly built against netstandard2.0 + PowerShellStandard may reference: the reference
    # assemblies of the NETStandard.Library package the build restored (netstandard itself and the facades it
    # implies), PowerShellStandard's System.Management.Automation, and the module's own assemblies. Name ->
    # identity; the package folders come from the project's assets file, so the versions are the ones built.
    function Get-AllowedReference {
        $assets = Get-Content -Raw (Join-Path $script:RepoRoot 'src/OomTools/obj/project.assets.json') | ConvertFrom-Json -AsHashtable
        $folders = @($assets.packageFolders.Keys)
        function Find-PackageFile([string]$Id, [string]$RelativePath) {
            $library = $assets.libraries.Keys | Where-Object { $_ -like "$Id/*" } | Select-Object -First 1
            if (-not $library) { throw "$Id is not in src/OomTools/obj/project.assets.json." }
            foreach ($folder in $folders) {
                $candidate = Join-Path $folder $assets.libraries[$library].path $RelativePath
                if (Test-Path $candidate) { return $candidate }
            }
            throw "$library/$RelativePath not found in $($folders -join ', ')."
        }
        $allowed = @{}
        $references = @(Get-ChildItem (Find-PackageFile 'NETStandard.Library' 'build/netstandard2.0/ref') -Filter '*.dll') +
            (Get-Item (Find-PackageFile 'PowerShellStandard.Library' 'lib/netstandard2.0/System.Management.Automation.dll'))
        foreach ($file in $references) {
            $id = (Get-AssemblyMetadata $file.FullName).Identity
            $allowed[$id.Name] = $id
        }
        foreach ($file in Get-ChildItem -LiteralPath $script:ModuleOut -Filter '*.dll') {
            $id = (Get-AssemblyMetadata $file.FullName).Identity
            $allowed[$id.Name] = $id
        }
        $allowed
    }

    # One line per reference of the assembly that is not in -Allowed (by name, same public key token, a
    # version no higher), naming it.
    function Get-ForeignReference([string]$Path, [hashtable]$Allowed) {
        foreach ($r in (Get-AssemblyMetadata $Path).References) {
            $ok = $Allowed[$r.Name]
            $why = if (-not $ok) { 'not part of netstandard2.0 or PowerShellStandard' }
            elseif ($ok.Token -ne $r.Token) { "public key token $($r.Token), expected $($ok.Token)" }
            elseif ($r.Version -gt $ok.Version) { "version above the $($ok.Version) netstandard2.0/PowerShellStandard provide" }
            if ($why) { "$(Split-Path -Leaf $Path) references $($r.Name), Version=$($r.Version): $why" }
        }
    }
    #endregion

    #region PowerShell 7-only syntax, found in the parser's AST
    # One line per construct Windows PowerShell 5.1's grammar lacks ('<source>:<line>: <what>'), and one per
    # parse error. The AST is the 7.x parser's, which knows these constructs; 5.1's would reject them.
    function Find-Ps7Syntax([string]$Script, [string]$Source = 'script') {
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Script, [ref]$tokens, [ref]$errors)
        foreach ($e in $errors) { "${Source}:$($e.Extent.StartLineNumber): parse error: $($e.Message)" }
        $found = $ast.FindAll({
                param($n)
                $n -is [System.Management.Automation.Language.TernaryExpressionAst] -or
                $n -is [System.Management.Automation.Language.PipelineChainAst] -or
                ($n -is [System.Management.Automation.Language.BinaryExpressionAst] -and $n.Operator -eq 'QuestionQuestion') -or
                ($n -is [System.Management.Automation.Language.AssignmentStatementAst] -and $n.Operator -eq 'QuestionQuestionEquals') -or
                ($n -is [System.Management.Automation.Language.MemberExpressionAst] -and $n.NullConditional) -or
                ($n -is [System.Management.Automation.Language.IndexExpressionAst] -and $n.NullConditional) -or
                ($n -is [System.Management.Automation.Language.PipelineAst] -and $n.Background) -or
                ($n -is [System.Management.Automation.Language.ScriptBlockAst] -and $n.CleanBlock) -or
                ($n -is [System.Management.Automation.Language.CommandAst] -and (Test-ParallelForEach $n))
            }, $true)
        foreach ($n in $found) {
            $what = switch ($n) {
                { $_ -is [System.Management.Automation.Language.TernaryExpressionAst] } { 'ternary ? :'; break }
                { $_ -is [System.Management.Automation.Language.PipelineChainAst] } { 'pipeline chain && / ||'; break }
                { $_ -is [System.Management.Automation.Language.BinaryExpressionAst] } { 'null-coalescing ??'; break }
                { $_ -is [System.Management.Automation.Language.AssignmentStatementAst] } { 'null-coalescing assignment ??='; break }
                { $_ -is [System.Management.Automation.Language.MemberExpressionAst] } { 'null-conditional ?.'; break }
                { $_ -is [System.Management.Automation.Language.IndexExpressionAst] } { 'null-conditional ?[]'; break }
                { $_ -is [System.Management.Automation.Language.PipelineAst] } { 'background operator &'; break }
                { $_ -is [System.Management.Automation.Language.ScriptBlockAst] } { 'clean block'; break }
                default { 'ForEach-Object -Parallel' }
            }
            "${Source}:$($n.Extent.StartLineNumber): $what"
        }
        # The `u{...} escape is a 6.0 addition: 5.1 reads it as a literal 'u{...}'.
        foreach ($t in $tokens) {
            if ($t.Kind -in 'StringExpandable', 'HereStringExpandable' -and $t.Text -match '`u\{') {
                "${Source}:$($t.Extent.StartLineNumber): ``u{} escape"
            }
        }
    }

    # ForEach-Object (or its aliases) with -Parallel, or any abbreviation 5.1 would not have (-pa and longer).
    function Test-ParallelForEach($Command) {
        $name = $Command.GetCommandName()
        if ($name -notin 'ForEach-Object', 'foreach', '%') { return $false }
        [bool]@($Command.CommandElements | Where-Object {
                $_ -is [System.Management.Automation.Language.CommandParameterAst] -and
                $_.ParameterName.Length -ge 2 -and 'parallel'.StartsWith($_.ParameterName, [StringComparison]::OrdinalIgnoreCase)
            }).Count
    }

    # The PowerShell a 5.1 session runs from the staged module: scripts, data files, and the script blocks
    # of the type and format files. Source name -> script text.
    function Get-ShippedScript {
        $scripts = [ordered]@{}
        foreach ($file in Get-ChildItem -LiteralPath $script:ModuleOut -File -Recurse -Include '*.ps1', '*.psm1', '*.psd1') {
            $scripts[(Get-Relative $file.FullName)] = Get-Content -Raw -LiteralPath $file.FullName
        }
        foreach ($file in Get-ChildItem -LiteralPath $script:ModuleOut -File -Recurse -Filter '*.ps1xml') {
            $xml = [xml](Get-Content -Raw -LiteralPath $file.FullName)
            $i = 0
            foreach ($node in $xml.SelectNodes('//ScriptBlock | //GetScriptBlock | //SetScriptBlock')) {
                $scripts["$(Get-Relative $file.FullName) <$($node.LocalName)> #$((++$i))"] = $node.InnerText
            }
        }
        $scripts
    }
    #endregion
}

Describe 'Windows PowerShell 5.1 hygiene' {

    Context 'text files: UTF-8, with a BOM where they hold non-ASCII' {
        It 'stages the help and the about topic (the files with non-ASCII text)' {
            Join-Path $ModuleOut 'en-US/OomTools.dll-Help.xml' | Should -Exist
            Join-Path $ModuleOut 'en-US/about_OomTools.help.txt' | Should -Exist
            @(Get-ShippedTextFile).Count | Should -BeGreaterThan 4
        }

        It 'gives every shipped text file with a non-ASCII character a UTF-8 BOM' {
            $missing = foreach ($file in Get-ShippedTextFile) {
                $bytes = [System.IO.File]::ReadAllBytes($file.FullName)
                if (-not (Test-Utf8Bom $bytes) -and @($bytes -ge 0x80).Count) { Get-Relative $file.FullName }
            }
            $missing -join ', ' | Should -BeNullOrEmpty -Because 'Windows PowerShell 5.1 reads a text file without a BOM in the ANSI code page'
        }

        It 'ships only valid UTF-8 text' {
            $strict = [System.Text.UTF8Encoding]::new($false, $true)
            $bad = foreach ($file in Get-ShippedTextFile) {
                try { $null = $strict.GetString([System.IO.File]::ReadAllBytes($file.FullName)) }
                catch { Get-Relative $file.FullName }
            }
            $bad -join ', ' | Should -BeNullOrEmpty
        }

        It 'declares no XML encoding but UTF-8' {
            $bad = foreach ($file in Get-ShippedTextFile | Where-Object Extension -In '.xml', '.ps1xml') {
                $head = (Get-Content -LiteralPath $file.FullName -TotalCount 1)
                if ($head -match '^\s*<\?xml[^>]*\bencoding\s*=\s*["'']([^"'']+)' -and $Matches[1] -ne 'utf-8') {
                    "$(Get-Relative $file.FullName) ($($Matches[1]))"
                }
            }
            $bad -join ', ' | Should -BeNullOrEmpty
        }
    }

    Context 'module/Add-Utf8Bom.ps1 (the staging step)' {
        BeforeAll {
            $script:Dir = Join-Path $TestDrive 'stage'
            $null = New-Item -ItemType Directory -Path "$Dir/en-US" -Force
            $script:Utf8 = [System.Text.UTF8Encoding]::new($false)
            [System.IO.File]::WriteAllText("$Dir/ascii.psd1", "@{ Name = 'plain' }`n", $Utf8)
            [System.IO.File]::WriteAllText("$Dir/en-US/about_X.help.txt", "Caf$([char]0xE9) $([char]0x2014) $([char]0x2264) 1`n", $Utf8)
            [System.IO.File]::WriteAllText("$Dir/Help.xml", "<?xml version=`"1.0`" encoding=`"utf-8`"?><a>$([char]0xE9)</a>", $Utf8)
            [System.IO.File]::WriteAllText("$Dir/already.ps1xml", "<a>$([char]0xE9)</a>", [System.Text.UTF8Encoding]::new($true))
            [System.IO.File]::WriteAllBytes("$Dir/lib.dll", [byte[]](0x4D, 0x5A, 0x90, 0xFF, 0xE9))
            $script:Before = @{}
            Get-ChildItem $Dir -File -Recurse | ForEach-Object { $Before[$_.FullName] = [System.IO.File]::ReadAllBytes($_.FullName) }
            $script:Changed = @(& $AddUtf8Bom -Path $Dir)
        }

        It 'puts a BOM in front of each non-ASCII text file and keeps its bytes' {
            foreach ($name in 'en-US/about_X.help.txt', 'Help.xml') {
                $path = (Get-Item "$Dir/$name").FullName
                $bytes = [System.IO.File]::ReadAllBytes($path)
                Test-Utf8Bom $bytes | Should -BeTrue -Because "$name holds non-ASCII"
                [System.Convert]::ToHexString($bytes[3..($bytes.Length - 1)]) | Should -Be ([System.Convert]::ToHexString($Before[$path]))
            }
        }

        It 'leaves ASCII files, files that have a BOM and assemblies byte for byte' {
            foreach ($name in 'ascii.psd1', 'already.ps1xml', 'lib.dll') {
                $path = (Get-Item "$Dir/$name").FullName
                [System.Convert]::ToHexString([System.IO.File]::ReadAllBytes($path)) | Should -Be ([System.Convert]::ToHexString($Before[$path])) -Because $name
            }
        }

        It 'names exactly the files it changed, and a second run changes nothing' {
            @($Changed | ForEach-Object { [System.IO.Path]::GetRelativePath($Dir, $_) -replace '\\', '/' } | Sort-Object) |
                Should -Be @('en-US/about_X.help.txt', 'Help.xml')
            @(& $AddUtf8Bom -Path $Dir).Count | Should -Be 0
        }

        It 'refuses a text file that is not UTF-8, naming it' {
            $bad = Join-Path $TestDrive 'latin1'
            $null = New-Item -ItemType Directory -Path $bad
            [System.IO.File]::WriteAllBytes("$bad/about_Y.help.txt", [byte[]](0x43, 0x61, 0x66, 0xE9, 0x0A))   # 'Café' in Latin-1
            { & $AddUtf8Bom -Path $bad } | Should -Throw '*about_Y.help.txt is not valid UTF-8*'
        }

        It 'is the last staging step of build.ps1' {
            Get-Content -Raw (Join-Path $RepoRoot 'build.ps1') | Should -Match 'module/Add-Utf8Bom\.ps1" -Path \$ModuleOut'
        }
    }

    Context 'assemblies: netstandard2.0 and PowerShellStandard only' {
        BeforeAll {
            $script:Allowed = Get-AllowedReference
            $script:Assemblies = @(Get-ChildItem -LiteralPath $ModuleOut -Filter '*.dll' -File -Recurse)
        }

        It 'ships both assemblies' {
            $Assemblies.Name | Sort-Object | Should -Be @('OomTools.dll', 'OomTools.Engine.dll')
        }

        It 'knows netstandard, its facades and System.Management.Automation as allowed' {
            $Allowed['netstandard'].Version | Should -Be ([version]'2.0.0.0')
            $Allowed['netstandard'].Token | Should -Be 'cc7b13ffcd2ddd51'
            $Allowed['System.Runtime'] | Should -Not -BeNullOrEmpty
            # Windows PowerShell 5.1's own System.Management.Automation is 3.0.0.0.
            $Allowed['System.Management.Automation'].Version | Should -Be ([version]'3.0.0.0')
            $Allowed['System.Management.Automation'].Token | Should -Be '31bf3856ad364e35'
        }

        It 'reference nothing beyond netstandard2.0 and PowerShellStandard' {
            $foreign = foreach ($dll in $Assemblies) { Get-ForeignReference $dll.FullName $Allowed }
            $foreign -join '; ' | Should -BeNullOrEmpty
        }

        It 'target .NETStandard 2.0 and no other framework' {
            $other = foreach ($dll in $Assemblies) {
                $framework = (Get-AssemblyMetadata $dll.FullName).TargetFramework
                if ($framework -ne '.NETStandard,Version=v2.0') { "$($dll.Name): '$framework'" }
            }
            $other -join '; ' | Should -BeNullOrEmpty
        }

        It 'would name the reference of an assembly built for .NET (this pwsh''s own)' {
            # PowerShell 7's System.Management.Automation: built for .NETCoreApp, referencing System.Runtime 8+.
            $path = [System.Management.Automation.PSObject].Assembly.Location
            $foreign = @(Get-ForeignReference $path $Allowed)
            $foreign | Should -Not -BeNullOrEmpty
            $foreign -join "`n" | Should -Match 'System\.Management\.Automation\.dll references System\.Runtime, Version=\d+'
            (Get-AssemblyMetadata $path).TargetFramework | Should -BeLike '.NETCoreApp,Version=*'
        }
    }

    Context 'manifest' {
        BeforeAll {
            $script:ManifestPath = Join-Path $ModuleOut 'OomTools.psd1'
            $script:Data = Import-PowerShellDataFile -LiteralPath $ManifestPath
        }

        It 'passes Test-ModuleManifest' {
            { Test-ModuleManifest -Path $ManifestPath -ErrorAction Stop } | Should -Not -Throw
        }

        It 'is compatible with the Desktop and Core editions' {
            $Data.CompatiblePSEditions | Should -Contain 'Desktop'
            $Data.CompatiblePSEditions | Should -Contain 'Core'
        }

        It 'asks for PowerShell 5.1' {
            [version]$Data.PowerShellVersion | Should -Be ([version]'5.1')
        }

        It 'asks for .NET Framework 4.7.2 (netstandard2.0 on the CLR 4)' {
            # netstandard2.0 loads without shipped facades from .NET Framework 4.7.1 on; 4.7.2 is the
            # recommended minimum. Both keys only matter to the Desktop edition.
            [version]$Data.DotNetFrameworkVersion | Should -Be ([version]'4.7.2')
            if ($Data.ContainsKey('CLRVersion')) { [version]$Data.CLRVersion | Should -Be ([version]'4.0') }
        }

        It 'points RootModule, NestedModules, type and format files at staged files' {
            $files = @($Data.RootModule) + @($Data['NestedModules']) + @($Data['TypesToProcess']) + @($Data['FormatsToProcess']) +
                @($Data['RequiredAssemblies']) | Where-Object { $_ }
            $Data.RootModule | Should -Be 'OomTools.dll'
            foreach ($f in $files) { Join-Path $ModuleOut $f | Should -Exist }
        }

        It 'exports explicit lists, never a wildcard' {
            foreach ($key in 'CmdletsToExport', 'FunctionsToExport', 'AliasesToExport', 'VariablesToExport') {
                $Data.ContainsKey($key) | Should -BeTrue -Because "a missing $key exports everything"
                @($Data[$key] | Where-Object { [WildcardPattern]::ContainsWildcardCharacters($_) }) | Should -BeNullOrEmpty -Because $key
            }
        }

        It 'uses only keys Windows PowerShell 5.1 knows' {
            $known = 'RootModule', 'ModuleToProcess', 'ModuleVersion', 'GUID', 'Author', 'CompanyName', 'Copyright',
            'Description', 'PowerShellVersion', 'PowerShellHostName', 'PowerShellHostVersion', 'DotNetFrameworkVersion',
            'CLRVersion', 'ProcessorArchitecture', 'RequiredModules', 'RequiredAssemblies', 'ScriptsToProcess',
            'TypesToProcess', 'FormatsToProcess', 'NestedModules', 'FunctionsToExport', 'CmdletsToExport',
            'VariablesToExport', 'AliasesToExport', 'DscResourcesToExport', 'ModuleList', 'FileList', 'PrivateData',
            'HelpInfoURI', 'DefaultCommandPrefix', 'CompatiblePSEditions'
            @($Data.Keys | Where-Object { $_ -notin $known }) | Should -BeNullOrEmpty
        }
    }

    Context 'scripts: Windows PowerShell 5.1 grammar' {
        It 'finds no PowerShell 7-only syntax in the shipped scripts, data files and ps1xml script blocks' {
            $scripts = Get-ShippedScript
            $scripts.Keys | Where-Object { $_ -like '*.ps1xml <*' } | Should -Not -BeNullOrEmpty
            $found = foreach ($entry in $scripts.GetEnumerator()) { Find-Ps7Syntax $entry.Value $entry.Key }
            $found -join "`n" | Should -BeNullOrEmpty
        }

        It 'would find <What>' -ForEach @(
            @{ What = 'ternary ? :'; Script = '$a = $b ? 1 : 2' }
            @{ What = 'null-coalescing ??'; Script = '$a = $b ?? 1' }
            @{ What = 'null-coalescing assignment ??='; Script = '$a ??= 1' }
            @{ What = 'pipeline chain && / ||'; Script = 'Get-Item x && Get-Item y' }
            @{ What = 'pipeline chain && / ||'; Script = 'Get-Item x || Write-Warning no' }
            @{ What = 'null-conditional ?.'; Script = '${a}?.Length' }
            @{ What = 'null-conditional ?[]'; Script = '${a}?[0]' }
            @{ What = 'background operator &'; Script = 'Start-Sleep 1 &' }
            @{ What = 'clean block'; Script = 'function f { process { 1 } clean { 2 } }' }
            @{ What = 'ForEach-Object -Parallel'; Script = '1..2 | ForEach-Object -Parallel { $_ }' }
            @{ What = 'ForEach-Object -Parallel'; Script = '1..2 | % -pa { $_ } -ThrottleLimit 2' }
            @{ What = '`u{} escape'; Script = '"a`u{2014}b"' }
        ) {
            Find-Ps7Syntax $Script 'case' | Should -Contain "case:1: $What"
        }

        It 'finds nothing in 5.1 script' {
            $script = @'
function f { param($x) begin { } process { if ($x) { 1 } else { 2 } } end { } }
$h = @{ a = 1 }; $o = [ordered]@{ b = 2 }; $s = "a`tb $($h.a) $(if ($null -eq $x) { 'none' })"
1..3 | ForEach-Object -Process { $_ } | Where-Object { $_ -gt 1 }
class C { [int]$N }
$y = $h['a']; & { $args } 1; Get-Item x 2>&1 | Out-Null
'@
            Find-Ps7Syntax $script 'case' | Should -BeNullOrEmpty
        }
    }
}
