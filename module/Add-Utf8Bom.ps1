#Requires -Version 7.2
<#
.SYNOPSIS
    Gives every text file under -Path that holds a non-ASCII character a UTF-8 byte order mark.
.DESCRIPTION
    Windows PowerShell 5.1 reads a text file without a BOM (a manifest, a .ps1xml, an about_*.help.txt) in the
    ANSI code page, so an 'é' written as UTF-8 comes out as 'Ã©'. build.ps1 runs this over the staged module as
    its last staging step, after the help is generated and the compiler's XML documentation is copied, so
    every file the module ships is covered whoever wrote it. Pure-ASCII files are left as they are (they read
    the same in every code page), as are assemblies and symbols. A text file that is not valid UTF-8 is an
    error: adding a BOM to it would declare an encoding it does not have.
    Writes the full path of each file it changed.
.EXAMPLE
    ./module/Add-Utf8Bom.ps1 -Path out/OomTools
#>
[CmdletBinding()]
[OutputType([string])]
param(
    # The folder to walk (recursively).
    [Parameter(Mandatory)] [string]$Path
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$binary = '.dll', '.pdb', '.exe', '.nupkg'
$strict = [System.Text.UTF8Encoding]::new($false, $true)   # throws on bytes that are not UTF-8
$withBom = [System.Text.UTF8Encoding]::new($true)
foreach ($file in Get-ChildItem -LiteralPath $Path -File -Recurse) {
    if ($file.Extension -in $binary) { continue }
    $bytes = [System.IO.File]::ReadAllBytes($file.FullName)
    if ($bytes.Length -ge 3 -and $bytes[0] -eq 0xEF -and $bytes[1] -eq 0xBB -and $bytes[2] -eq 0xBF) { continue }
    try { $text = $strict.GetString($bytes) }
    catch { throw "$($file.FullName) is not valid UTF-8 text ($($_.Exception.Message)); write it as UTF-8." }
    if ($text -notmatch '[^\x00-\x7F]') { continue }
    # The strict decode above round-trips, so the file keeps its exact bytes behind the BOM.
    [System.IO.File]::WriteAllText($file.FullName, $text, $withBom)
    $file.FullName
}
