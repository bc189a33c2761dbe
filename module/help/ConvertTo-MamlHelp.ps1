#Requires -Version 7.2
<#
.SYNOPSIS
    Builds OomTools' MAML help (OomTools.dll-Help.xml) and about topic from module/help/en-US/*.md.
.DESCRIPTION
    The markdown holds only prose: SYNOPSIS, DESCRIPTION, EXAMPLES, PARAMETERS (one "### -Name" each, with an
    optional "Default value: ..." line), INPUTS, OUTPUTS, NOTES and RELATED LINKS. Everything the code knows
    about a parameter (type, parameter sets, mandatory, position, pipeline input, aliases, wildcards,
    ValidateSet values) comes from Get-Command on the imported staged module, so the help cannot disagree
    with the code: a parameter the code has but the markdown lacks is still listed (with a warning), and a
    documented parameter the code no longer has is dropped (with a warning).

    Run it in a child process: it imports the staged binary module, and a loaded assembly can never be
    unloaded from the session that loaded it.
.EXAMPLE
    dotnet pwsh -NoProfile -File module/help/ConvertTo-MamlHelp.ps1 -ModulePath out/OomTools -OutputPath out/OomTools/en-US
#>
[CmdletBinding()]
param(
    # The staged module folder (holds OomTools.psd1).
    [Parameter(Mandatory)] [string]$ModulePath,
    # Where OomTools.dll-Help.xml and about_*.help.txt are written.
    [Parameter(Mandatory)] [string]$OutputPath,
    # The markdown sources.
    [string]$SourcePath = (Join-Path $PSScriptRoot 'en-US')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

# The manifest (not the folder) is imported, so a staging folder of any name works.
$manifest = Get-ChildItem -LiteralPath $ModulePath -Filter '*.psd1' | Select-Object -First 1
if (-not $manifest) { throw "No module manifest (*.psd1) in $ModulePath." }
$module = Import-Module $manifest.FullName -PassThru -Force
$null = New-Item -ItemType Directory -Path $OutputPath -Force
$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}
# Common parameters are described by PowerShell itself; -WhatIf/-Confirm are listed like platyPS does.
$skip = [System.Management.Automation.Cmdlet]::CommonParameters + 'UseTransaction'
$standard = @{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}

#region Markdown reading
# Splits a markdown file into H2 sections, each an ordered map of H3 title -> lines ('' = text under the H2).
function Read-HelpMarkdown([string]$Path) {
    $doc = @{ Name = $null; Sections = [ordered]@{} }
    $h2 = $null; $h3 = ''; $fence = $false
    foreach ($line in Get-Content -LiteralPath $Path) {
        if ($line -match '^\s*```') { $fence = -not $fence }
        elseif (-not $fence -and $line -match '^#\s+(\S+)') { $doc.Name = $Matches[1]; continue }
        elseif (-not $fence -and $line -match '^##\s+(.+?)\s*$') {
            $h2 = $Matches[1].ToUpperInvariant(); $h3 = ''
            $doc.Sections[$h2] = [ordered]@{ '' = [System.Collections.Generic.List[string]]::new() }; continue
        }
        elseif (-not $fence -and $h2 -and $line -match '^###\s+(.+?)\s*$') {
            $h3 = $Matches[1]; $doc.Sections[$h2][$h3] = [System.Collections.Generic.List[string]]::new(); continue
        }
        if ($h2) { $doc.Sections[$h2][$h3].Add($line) }
    }
    $doc
}

# Markdown lines -> plain-text paragraphs. Blank lines end a paragraph, list items start one, fenced blocks
# are kept verbatim (one paragraph each), inline markup (**bold**, `code`, [text](link)) is reduced to text.
# An ```output block gets an "Output:" line on top: Get-Help trims each paragraph, which would otherwise
# eat the leading spaces of a right-aligned table header.
function ConvertTo-Paragraph([string[]]$Lines) {
    $paras = [System.Collections.Generic.List[string]]::new(); $cur = [System.Collections.Generic.List[string]]::new(); $fence = $null
    foreach ($line in @($Lines) + '') {
        if ($null -ne $fence) {
            if ($line -match '^\s*```') { $paras.Add(($fence -join "`n")); $fence = $null } else { $fence.Add($line) }
            continue
        }
        $startsBlock = $line -match '^\s*```'
        if ($startsBlock -or $line -match '^\s*$' -or $line -match '^\s*([-*]|\d+\.)\s') {
            if ($cur.Count) { $paras.Add((($cur -join ' ') -replace '\*\*(.+?)\*\*', '$1' -replace '`([^`]+)`', '$1' -replace '\[([^\]]+)\]\([^)]*\)', '$1')) }
            $cur.Clear()
        }
        if ($startsBlock) {
            $fence = [System.Collections.Generic.List[string]]::new()
            if ($line -match '^\s*```output') { $fence.Add('Output:') }
        }
        elseif ($line -notmatch '^\s*$') { $cur.Add($line.Trim()) }
    }
    $paras
}
#endregion

#region MAML writing (XmlWriter helpers; $w is the open writer)
function Open([string]$Name) { $p, $l = $Name -split ':'; $w.WriteStartElement($p, $l, $ns[$p]) }
function Close { $w.WriteEndElement() }
function Leaf([string]$Name, [string]$Text) { Open $Name; $w.WriteString($Text); Close }
function Paras([string]$Name, $Paragraphs) {
    Open $Name; foreach ($p in $Paragraphs) { Leaf 'maml:para' $p }; Close
}

function Get-TypeName([type]$Type, [switch]$Full) {
    $t = if ([Nullable]::GetUnderlyingType($Type)) { [Nullable]::GetUnderlyingType($Type) } else { $Type }
    if ($Full) { $t.FullName } else { $t.Name }
}

# One command:parameter element. $Info: Name, Type, Required, Position, Pipeline, Aliases, Globbing, Values, Help, Default.
function Write-Parameter($Info) {
    Open 'command:parameter'
    $w.WriteAttributeString('required', "$($Info.Required)".ToLowerInvariant())
    $w.WriteAttributeString('variableLength', 'true')
    $w.WriteAttributeString('globbing', "$($Info.Globbing)".ToLowerInvariant())
    $w.WriteAttributeString('pipelineInput', $Info.Pipeline)
    $w.WriteAttributeString('position', $Info.Position)
    $w.WriteAttributeString('aliases', $(if ($Info.Aliases) { $Info.Aliases -join ', ' } else { 'none' }))
    Leaf 'maml:name' $Info.Name
    Paras 'maml:description' $Info.Help
    $isSwitch = $Info.Type -eq [switch]
    if ($Info.Values) {
        Open 'command:parameterValueGroup'
        foreach ($v in $Info.Values) {
            Open 'command:parameterValue'; $w.WriteAttributeString('required', 'false')
            $w.WriteAttributeString('variableLength', 'false'); $w.WriteString($v); Close
        }
        Close
    }
    if (-not $isSwitch) {
        Open 'command:parameterValue'; $w.WriteAttributeString('required', 'true')
        $w.WriteAttributeString('variableLength', 'false'); $w.WriteString((Get-TypeName $Info.Type)); Close
    }
    Open 'dev:type'; Leaf 'maml:name' (Get-TypeName $Info.Type -Full); Close
    Leaf 'dev:defaultValue' $(if ($Info.Default) { $Info.Default } elseif ($isSwitch) { 'False' } else { 'None' })
    Close
}

# Input and output types: "### TypeName" subsections with a description each.
function Write-Types([string]$Outer, [string]$Inner, $Section) {
    Open $Outer
    foreach ($type in @($Section.Keys | Where-Object { $_ })) {
        Open $Inner; Open 'dev:type'; Leaf 'maml:name' $type; Close
        Paras 'maml:description' (ConvertTo-Paragraph $Section[$type]); Close
    }
    Close
}
#endregion

# UTF-8 with a BOM, like the about topic below: Windows PowerShell 5.1 reads text without one as ANSI.
$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($true) }
$commands = Get-Command -Module $module.Name -CommandType Cmdlet, Function | Sort-Object Name
$helpFile = ($commands | Where-Object HelpFile | Select-Object -First 1).HelpFile ?? "$($module.Name).dll-Help.xml"
$target = Join-Path $OutputPath $helpFile
$w = [System.Xml.XmlWriter]::Create("$target.tmp", $settings)   # renamed when complete: no half-written help
$w.WriteStartElement('helpItems', 'http://msh'); $w.WriteAttributeString('schema', 'maml')
foreach ($p in $ns.Keys) { $w.WriteAttributeString('xmlns', $p, $null, $ns[$p]) }

foreach ($cmd in $commands) {
    $md = Join-Path $SourcePath "$($cmd.Name).md"
    $doc = if (Test-Path $md) { Read-HelpMarkdown $md } else { @{ Name = $cmd.Name; Sections = @{} } }
    if (-not (Test-Path $md)) { Write-Warning "$($cmd.Name): no $md; writing syntax and parameters only." }
    elseif ($doc.Name -ne $cmd.Name) { Write-Warning "$($cmd.Name): $md is titled '$($doc.Name)'." }
    $section = { param($n) if ($doc.Sections.Contains($n)) { $doc.Sections[$n] } else { [ordered]@{ '' = @() } } }
    $synopsis = @(ConvertTo-Paragraph (& $section 'SYNOPSIS')[''])
    $examples = & $section 'EXAMPLES'
    if (-not $synopsis.Count) { Write-Warning "$($cmd.Name): no SYNOPSIS." }
    if (-not @($examples.Keys | Where-Object { $_ }).Count) { Write-Warning "$($cmd.Name): no examples." }

    # Parameter prose from the markdown: '-Name' -> description paragraphs and default value.
    $prose = [ordered]@{}
    $mdParams = & $section 'PARAMETERS'
    foreach ($key in @($mdParams.Keys | Where-Object { $_ })) {
        $lines = @($mdParams[$key])
        $default = ($lines | Where-Object { $_ -match '^Default value:\s*(.+)$' } | ForEach-Object { $Matches[1].Trim() }) | Select-Object -First 1
        $prose[$key.TrimStart('-')] = @{ Help = @(ConvertTo-Paragraph ($lines -notmatch '^Default value:')); Default = $default }
    }
    # Merge with the code's metadata: markdown order first, then parameters only the code has.
    $codeParams = @($cmd.Parameters.Values | Where-Object { $_.Name -notin $skip })
    $codeNames = @($codeParams | ForEach-Object Name)   # strict mode: a cmdlet may have no parameters of its own
    foreach ($name in @($prose.Keys)) {
        if ($name -notin $codeNames) { Write-Warning "$($cmd.Name): -$name is documented but not a parameter; dropped." }
    }
    $ordered = @($prose.Keys | Where-Object { $_ -in $codeNames }) + @($codeNames | Where-Object { $_ -notin $prose.Keys })
    $info = [ordered]@{}
    foreach ($name in $ordered) {
        $pm = $cmd.Parameters[$name]
        $help = @(if ($prose.Contains($name)) { $prose[$name].Help } elseif ($standard[$name]) { $standard[$name] })
        if (-not $help.Count) {
            Write-Warning "$($cmd.Name): -$name has no description in the markdown."
            $help = @("(Not documented yet.) $(Get-TypeName $pm.ParameterType) parameter -$name.")
        }
        $sets = @($pm.ParameterSets.Values)
        $positions = @($sets | Where-Object Position -ge 0 | ForEach-Object Position)
        # [ByPropertyName]: bound by property name by the cmdlet itself (OomTools.PipedRowBinder), not by PowerShell.
        $byName = [bool]($pm.Attributes | Where-Object { $_.GetType().FullName -eq 'OomTools.ByPropertyNameAttribute' })
        $pipe = @(if ($sets.ValueFromPipeline -contains $true) { 'ByValue' }; if ($byName -or $sets.ValueFromPipelineByPropertyName -contains $true) { 'ByPropertyName' })
        $info[$name] = @{
            Name     = $name; Type = $pm.ParameterType; Help = $help
            Default  = if ($prose.Contains($name)) { $prose[$name].Default } else { $null }
            Required = -not ($sets.IsMandatory -contains $false)
            Position = if ($positions.Count) { "$($positions[0])" } else { 'named' }
            Pipeline = if ($pipe) { "True ($($pipe -join ', '))" } else { 'False' }
            Aliases  = $pm.Aliases
            Globbing = [bool]($pm.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
            Values   = @($pm.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | ForEach-Object ValidValues)
        }
    }

    Open 'command:command'
    Open 'command:details'
    Leaf 'command:name' $cmd.Name; Leaf 'command:verb' $cmd.Verb; Leaf 'command:noun' $cmd.Noun
    Paras 'maml:description' $synopsis
    Close
    Paras 'maml:description' (ConvertTo-Paragraph (& $section 'DESCRIPTION')[''])

    # One syntax item per parameter set (default set first), with that set's mandatory/position/pipeline.
    Open 'command:syntax'
    foreach ($set in @($cmd.ParameterSets | Sort-Object { -not $_.IsDefault })) {
        Open 'command:syntaxItem'; Leaf 'maml:name' $cmd.Name
        # Positional first, then mandatory, then in the order of the markdown (then the code).
        $order = @($info.Keys)
        $ps = @($set.Parameters | Where-Object { $_.Name -notin $skip } |
            Sort-Object { if ($_.Position -ge 0) { $_.Position } else { [int]::MaxValue } }, { -not $_.IsMandatory }, { $order.IndexOf($_.Name) })
        foreach ($p in $ps) {
            $pipe = @(if ($p.ValueFromPipeline) { 'ByValue' }; if ($p.ValueFromPipelineByPropertyName -or $info[$p.Name].Pipeline -like '*ByPropertyName*') { 'ByPropertyName' })
            $one = $info[$p.Name].Clone()
            $one.Required = $p.IsMandatory
            $one.Position = if ($p.Position -ge 0) { "$($p.Position)" } else { 'named' }
            $one.Pipeline = if ($pipe) { "True ($($pipe -join ', '))" } else { 'False' }
            Write-Parameter $one
        }
        Close
    }
    Close
    Open 'command:parameters'; foreach ($i in $info.Values) { Write-Parameter $i }; Close
    Write-Types 'command:inputTypes' 'command:inputType' (& $section 'INPUTS')
    Write-Types 'command:returnValues' 'command:returnValue' (& $section 'OUTPUTS')
    # OUTPUTS must not claim types the cmdlet does not declare ([OutputType]).
    $declared = @($cmd.OutputType.Name)
    foreach ($t in @((& $section 'OUTPUTS').Keys | Where-Object { $_ -and $_ -ne 'None' })) {
        if ($t -notin $declared) { Write-Warning "$($cmd.Name): OUTPUTS lists $t, but [OutputType] says $($declared -join ', ')." }
    }
    Open 'maml:alertSet'; Open 'maml:alert'
    foreach ($p in (ConvertTo-Paragraph (& $section 'NOTES')[''])) { Leaf 'maml:para' $p }
    Close; Close

    # Examples: ```powershell blocks are the code; everything else (prose, ```output blocks) the remarks.
    Open 'command:examples'
    foreach ($title in @($examples.Keys | Where-Object { $_ })) {
        $code = [System.Collections.Generic.List[string]]::new(); $rest = [System.Collections.Generic.List[string]]::new(); $inCode = $false
        foreach ($line in $examples[$title]) {
            if (-not $inCode -and $line -match '^\s*```(powershell|ps1|pwsh)\s*$') { $inCode = $true; if ($code.Count) { $code.Add('') }; continue }
            if ($inCode -and $line -match '^\s*```\s*$') { $inCode = $false; continue }
            if ($inCode) { $code.Add($line) } else { $rest.Add($line) }
        }
        Open 'command:example'
        Leaf 'maml:title' "---------- $title ----------"
        Leaf 'dev:code' ($code -join "`n")
        Paras 'dev:remarks' (@(ConvertTo-Paragraph $rest) + '')   # the empty paragraph spaces the examples apart
        Close
    }
    Close

    Open 'command:relatedLinks'
    foreach ($line in (& $section 'RELATED LINKS')['']) {
        if ($line -match '\[([^\]]+)\]\(([^)]*)\)') {
            Open 'maml:navigationLink'; Leaf 'maml:linkText' $Matches[1]
            Leaf 'maml:uri' $(if ($Matches[2] -match '^https?://') { $Matches[2] } else { '' }); Close
        }
    }
    Close
    Close # command:command
}
$w.WriteEndElement(); $w.Close()
[xml](Get-Content -Raw "$target.tmp") | Out-Null   # well-formed, or this throws
Move-Item "$target.tmp" $target -Force
Write-Host "==> wrote $helpFile ($($commands.Count) commands)"

#region About topics: about_*.md -> about_*.help.txt
# "# about_X" becomes TOPIC, "## Heading" an upper-case heading, "### Heading" an indented one; prose is
# wrapped at 80 columns and indented 4 (list items hang), fenced code is indented 8 and kept as written.
function Format-Wrapped([string]$Text, [string]$First, [string]$Rest, [int]$Width = 80) {
    $out = [System.Collections.Generic.List[string]]::new(); $line = $First; $words = 0
    foreach ($word in ($Text -split '\s+' | Where-Object { $_ })) {
        if ($words -and ($line.Length + 1 + $word.Length) -gt $Width) { $out.Add($line); $line = $Rest + $word }
        elseif ($words) { $line += " $word" } else { $line += $word }
        $words++
    }
    if ($words) { $out.Add($line) }
    $out
}
foreach ($about in Get-ChildItem -Path $SourcePath -Filter 'about_*.md') {
    $out = [System.Collections.Generic.List[string]]::new(); $para = [System.Collections.Generic.List[string]]::new(); $bullet = $null; $fence = $false
    $flush = {
        if ($para.Count) {
            $text = ($para -join ' ') -replace '\*\*(.+?)\*\*', '$1' -replace '`([^`]+)`', '$1' -replace '\[([^\]]+)\]\([^)]*\)', '$1'
            $first = if ($bullet) { '    ' + $bullet + ' ' } else { '    ' }
            foreach ($l in (Format-Wrapped $text $first (' ' * $first.Length))) { $out.Add($l) }
            $para.Clear()
        }
    }
    $blank = { if ($out.Count -and $out[-1] -ne '') { $out.Add('') } }
    foreach ($line in Get-Content -LiteralPath $about.FullName) {
        if ($line -match '^\s*```') { . $flush; $fence = -not $fence; continue }
        if ($fence) { $out.Add(('        ' + $line).TrimEnd()); continue }
        if ($line -match '^#\s+(\S+)') { . $flush; $out.Add('TOPIC'); $out.Add("    $($Matches[1])"); continue }
        if ($line -match '^##\s+(.+)') { . $flush; . $blank; $out.Add($Matches[1].ToUpperInvariant()); continue }
        if ($line -match '^###\s+(.+)') { . $flush; . $blank; $out.Add("  $($Matches[1])"); continue }
        if ($line -match '^\s*$') { . $flush; . $blank; continue }
        if ($line -match '^\s*([-*]|\d+\.)\s+(.*)$') { . $flush; $bullet = $Matches[1]; $para.Add($Matches[2]); continue }
        if (-not $para.Count) { $bullet = $null }
        $para.Add($line.Trim())
    }
    . $flush
    $target = Join-Path $OutputPath ($about.BaseName + '.help.txt')
    Set-Content -LiteralPath $target -Value $out -Encoding utf8BOM
    Write-Host "==> wrote $($about.BaseName).help.txt"
}
#endregion
