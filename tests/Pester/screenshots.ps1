# Screenshots for the picture tests (Export-OomAuditReport, Export-OomTimelineChart): headless Chromium as a
# user would look at a page on a laptop, and a PNG reader to check what it drew. Dot-sourced in a BeforeAll.

# A minimal PNG reader for the screenshot test: 8-bit RGB or RGBA, non-interlaced (what Chromium writes).
if (-not ('OomToolsTests.PngProbe' -as [type])) {
    Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace OomToolsTests
{
public sealed class PngStats
{
    public int Width, Height, DistinctColours, NonWhitePixels;
    public Dictionary<int, int> Counts = new Dictionary<int, int>();
    public int CountOf(int rgb) { int n; return Counts.TryGetValue(rgb, out n) ? n : 0; }
}

public static class PngProbe
{
    public static PngStats Read(string path)
    {
        byte[] b = File.ReadAllBytes(path);
        byte[] sig = { 137, 80, 78, 71, 13, 10, 26, 10 };
        for (int i = 0; i < 8; i++) if (b[i] != sig[i]) throw new InvalidDataException("not a PNG file");
        int pos = 8, w = 0, h = 0, depth = 0, type = 0, interlace = 0;
        var idat = new MemoryStream();
        while (pos + 8 <= b.Length)
        {
            int len = (b[pos] << 24) | (b[pos + 1] << 16) | (b[pos + 2] << 8) | b[pos + 3];
            string kind = Encoding.ASCII.GetString(b, pos + 4, 4);
            int data = pos + 8;
            if (kind == "IHDR")
            {
                w = (b[data] << 24) | (b[data + 1] << 16) | (b[data + 2] << 8) | b[data + 3];
                h = (b[data + 4] << 24) | (b[data + 5] << 16) | (b[data + 6] << 8) | b[data + 7];
                depth = b[data + 8]; type = b[data + 9]; interlace = b[data + 12];
            }
            else if (kind == "IDAT") idat.Write(b, data, len);
            else if (kind == "IEND") break;
            pos = data + len + 4;
        }
        if (depth != 8 || (type != 2 && type != 6) || interlace != 0)
            throw new InvalidDataException("PNG with bit depth " + depth + ", colour type " + type + ", interlace " + interlace + " is not handled");
        int bpp = type == 6 ? 4 : 3, stride = w * bpp;
        byte[] raw = new byte[(stride + 1) * h];
        idat.Position = 0;
        using (var z = new ZLibStream(idat, CompressionMode.Decompress))
        {
            int read = 0, n;
            while (read < raw.Length && (n = z.Read(raw, read, raw.Length - read)) > 0) read += n;
            if (read != raw.Length) throw new InvalidDataException("IDAT holds " + read + " bytes, not " + raw.Length);
        }
        var stats = new PngStats { Width = w, Height = h };
        byte[] prev = new byte[stride], cur = new byte[stride];
        for (int y = 0; y < h; y++)
        {
            int f = raw[y * (stride + 1)];
            Buffer.BlockCopy(raw, y * (stride + 1) + 1, cur, 0, stride);
            for (int x = 0; x < stride; x++)
            {
                int a = x >= bpp ? cur[x - bpp] : 0, up = prev[x], c = x >= bpp ? prev[x - bpp] : 0;
                int v = cur[x];
                switch (f)
                {
                    case 0: break;
                    case 1: v += a; break;
                    case 2: v += up; break;
                    case 3: v += (a + up) / 2; break;
                    case 4:
                        int p = a + up - c, pa = Math.Abs(p - a), pb = Math.Abs(p - up), pc = Math.Abs(p - c);
                        v += pa <= pb && pa <= pc ? a : pb <= pc ? up : c;
                        break;
                    default: throw new InvalidDataException("unknown PNG filter " + f);
                }
                cur[x] = (byte)v;
            }
            for (int x = 0; x < w; x++)
            {
                int r = cur[x * bpp], g = cur[x * bpp + 1], bl = cur[x * bpp + 2];
                int rgb = (r << 16) | (g << 8) | bl;
                int count;
                stats.Counts[rgb] = stats.Counts.TryGetValue(rgb, out count) ? count + 1 : 1;
                if (r < 245 || g < 245 || bl < 245) stats.NonWhitePixels++;
            }
            var t = prev; prev = cur; cur = t;
        }
        stats.DistinctColours = stats.Counts.Count;
        return stats;
    }
}
}
'@
}

# The chromium on PATH (.ci/run installs it), or $null.
function Get-Chromium {
    Get-Command chromium, chromium-browser -CommandType Application -ErrorAction Ignore | Select-Object -First 1
}

# Renders the file at $Path in headless Chromium into the PNG $Png, $Width x $Height pixels (a 1366x768 laptop
# by default), and returns the PNG's statistics ([OomToolsTests.PngProbe]).
function Invoke-ChromiumScreenshot([string]$Path, [string]$Png, [int]$Width = 1366, [int]$Height = 768) {
    $browser = Get-Chromium
    if (-not $browser) { throw 'chromium is not installed here' }
    $profileDir = Join-Path ([System.IO.Path]::GetTempPath()) "oomtools-chromium-$([guid]::NewGuid().ToString('N'))"
    $null = New-Item -ItemType Directory -Path $profileDir
    try {
        $url = [System.Uri]::new($Path, [System.UriKind]::Absolute).AbsoluteUri
        $run = Invoke-ChildProcess -FilePath $browser.Source -TimeoutSeconds 120 -ArgumentList '--headless', '--no-sandbox', '--disable-gpu',
            '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
            '--hide-scrollbars', "--user-data-dir=$profileDir", "--screenshot=$Png", "--window-size=$Width,$Height", $url
        if ($run.TimedOut) { throw "chromium did not finish in 120 s: $($run.StdErr)" }
        if (-not (Test-Path -LiteralPath $Png)) { throw "chromium exited $($run.ExitCode) without a screenshot:`n$($run.StdOut)`n$($run.StdErr)" }
    }
    finally { Remove-Item -LiteralPath $profileDir -Recurse -Force -ErrorAction Ignore }
    [OomToolsTests.PngProbe]::Read($Png)
}
