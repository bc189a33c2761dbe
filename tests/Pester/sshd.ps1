# A real OpenSSH server for the remoting tests, dot-sourced inside BeforeAll:
#
#     BeforeAll { . $PSScriptRoot/sshd.ps1; $sshd = Start-TestSshd -Root $folder -ModulesPath $RepoRoot/out }
#     AfterAll  { Stop-TestSshd $sshd }
#
# Everything lives in -Root: the sshd_config (127.0.0.1 only, a free port), a host key and a client key made
# with ssh-keygen, authorized_keys, and the `powershell` subsystem: a wrapper that starts the pwsh this test
# runs in (the `dotnet pwsh` tool the build restores) with -ModulesPath on PSModulePath, so that the remote
# `Import-Module OomTools` finds the staged module by name, as on a host where it is installed.
# .ci/run installs openssh-server and openssh-client from the distribution's packages. Where sshd is missing or
# cannot start, SkipReason says why and the tests skip; nothing stands in for it.

function Get-TestFreePort {
    <# A TCP port on 127.0.0.1 that nothing listens on right now (the kernel picks it). #>
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function ConvertTo-ShQuoted([string] $Text) { "'" + $Text.Replace("'", "'\''") + "'" }

function Start-TestSshd {
    <#
    .SYNOPSIS
        Starts sshd -D on 127.0.0.1 with a configuration of its own under -Root. Returns the connection
        (HostName, Port, UserName, KeyFilePath, Options: splat them into New-PSSession/Invoke-Command) and
        SkipReason, set when sshd is not there or would not start.
    #>
    param([Parameter(Mandatory)] [string] $Root, [Parameter(Mandatory)] [string] $ModulesPath)
    $result = [pscustomobject]@{
        SkipReason = $null; Process = $null; Root = $Root; Log = (Join-Path $Root 'sshd.log')
        HostName = '127.0.0.1'; Port = 0; UserName = [Environment]::UserName; KeyFilePath = (Join-Path $Root 'client_key')
        # No known_hosts to trust or to write (the host key is new on every run); BatchMode: never a password prompt.
        Options = @{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR'; BatchMode = 'yes'; ConnectTimeout = '20' }
    }
    $why = '.ci/run installs it with apt-get install openssh-server openssh-client'
    if (-not $IsLinux) { $result.SkipReason = 'the SSH remoting test sets up OpenSSH on Linux only'; return $result }
    $sshd = @(Get-Command sshd -CommandType Application -ErrorAction Ignore) + @(Get-Item /usr/sbin/sshd -ErrorAction Ignore) | Select-Object -First 1
    if (-not $sshd) { $result.SkipReason = "sshd (OpenSSH server) is not installed here ($why)"; return $result }
    foreach ($tool in 'ssh', 'ssh-keygen') {
        if (-not (Get-Command $tool -CommandType Application -ErrorAction Ignore)) { $result.SkipReason = "$tool (OpenSSH client) is not installed here ($why)"; return $result }
    }
    $sshdPath = if ($sshd -is [System.Management.Automation.CommandInfo]) { $sshd.Source } else { $sshd.FullName }

    $null = New-Item -ItemType Directory -Path $Root -Force
    foreach ($key in 'host_key', 'client_key') {
        $out = ssh-keygen -q -t ed25519 -N '' -C "oomtools-test-$key" -f (Join-Path $Root $key) 2>&1
        if ($LASTEXITCODE -ne 0) { throw "ssh-keygen failed for ${key}: $out" }
    }
    Copy-Item (Join-Path $Root 'client_key.pub') (Join-Path $Root 'authorized_keys')

    # The subsystem runs this pwsh: the dotnet host with the tool's pwsh.dll, or a native pwsh.
    $hostExe = [Environment]::ProcessPath
    $pwshDll = Join-Path $PSHOME 'pwsh.dll'
    $start = if ([IO.Path]::GetFileNameWithoutExtension($hostExe) -eq 'dotnet' -and (Test-Path $pwshDll)) {
        '{0} {1}' -f (ConvertTo-ShQuoted $hostExe), (ConvertTo-ShQuoted $pwshDll)
    } else { ConvertTo-ShQuoted $hostExe }
    $wrapper = Join-Path $Root 'pwsh-subsystem.sh'
    Set-Content -LiteralPath $wrapper -Encoding ascii -Value @(
        '#!/bin/sh'
        '# sshd''s powershell subsystem: the pwsh of the test run, the staged OomTools on PSModulePath.'
        "PSModulePath=$(ConvertTo-ShQuoted $ModulesPath); export PSModulePath"
        'POWERSHELL_TELEMETRY_OPTOUT=1; POWERSHELL_UPDATECHECK=Off; export POWERSHELL_TELEMETRY_OPTOUT POWERSHELL_UPDATECHECK'
        "exec $start -sshs -NoLogo -NoProfile"
    )
    [IO.File]::SetUnixFileMode($wrapper, [IO.UnixFileMode]'UserRead, UserWrite, UserExecute, GroupRead, GroupExecute, OtherRead, OtherExecute')
    foreach ($key in 'host_key', 'client_key') { [IO.File]::SetUnixFileMode((Join-Path $Root $key), [IO.UnixFileMode]'UserRead, UserWrite') }

    # sshd started by root separates privileges into /run/sshd, which the package's service unit creates.
    if ([Environment]::UserName -eq 'root' -and -not (Test-Path /run/sshd)) {
        try { $null = New-Item -ItemType Directory -Path /run/sshd -ErrorAction Stop }
        catch { $result.SkipReason = "sshd needs its privilege separation directory /run/sshd, which could not be made: $_"; return $result }
    }

    foreach ($attempt in 1..3) {
        $result.Port = Get-TestFreePort
        $config = Join-Path $Root 'sshd_config'
        Set-Content -LiteralPath $config -Encoding ascii -Value @(
            'ListenAddress 127.0.0.1'
            "Port $($result.Port)"
            "HostKey $(Join-Path $Root 'host_key')"
            "PidFile $(Join-Path $Root 'sshd.pid')"
            "AuthorizedKeysFile $(Join-Path $Root 'authorized_keys')"
            # Keys only; root may log in with one (the test runs as root in a container).
            'PubkeyAuthentication yes'
            'PasswordAuthentication no'
            'KbdInteractiveAuthentication no'
            'PermitRootLogin prohibit-password'
            "AllowUsers $($result.UserName)"
            # The files are the test's own, in a temp folder whose owner and modes sshd would otherwise check.
            'StrictModes no'
            # No PAM stack in a container; keys need none.
            'UsePAM no'
            "Subsystem powershell $wrapper"
        )
        $check = & $sshdPath -t -f $config 2>&1
        if ($LASTEXITCODE -ne 0) { $result.SkipReason = "sshd -t refuses the test's configuration: $($check -join ' ')"; return $result }

        $psi = [System.Diagnostics.ProcessStartInfo]::new($sshdPath)
        foreach ($a in '-D', '-f', $config, '-E', $result.Log) { $psi.ArgumentList.Add($a) }
        $psi.UseShellExecute = $false
        $result.Process = [System.Diagnostics.Process]::Start($psi)
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        while ([DateTime]::UtcNow -lt $deadline -and -not $result.Process.HasExited) {
            $client = [System.Net.Sockets.TcpClient]::new()
            try { $client.Connect([System.Net.IPAddress]::Loopback, $result.Port); return $result }
            catch { Start-Sleep -Milliseconds 100 }
            finally { $client.Dispose() }
        }
        $log = if (Test-Path $result.Log) { (Get-Content -LiteralPath $result.Log -Raw) } else { '' }
        Stop-TestSshd $result
        # A port taken between the pick and sshd's bind: try another one.
        if ($log -notmatch 'Address already in use') { break }
    }
    $result.SkipReason = "sshd did not start listening on 127.0.0.1:$($result.Port): $log"
    $result
}

function Stop-TestSshd {
    <# Stops the sshd that Start-TestSshd started, by its process id (remove the PSSessions first: they end their own sshd processes). #>
    param($Sshd)
    if ($null -eq $Sshd -or $null -eq $Sshd.Process) { return }
    $p = $Sshd.Process
    if (-not $p.HasExited) {
        try { $p.Kill() } catch { }
        $null = $p.WaitForExit(10000)
    }
    $p.Dispose()
    $Sshd.Process = $null
}
