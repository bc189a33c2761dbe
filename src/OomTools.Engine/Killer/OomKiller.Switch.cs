using OomTools.Engine.Time;
using OomTools.Engine.Units;

namespace OomTools.Engine.Killer;

public sealed partial class OomKiller
{
    /// <summary><c>oom_killer_enable()</c>.</summary>
    public void OomKillerEnable()
    {
        m.OomKillerDisabled = false;
        m.Log.Info("OOM killer enabled.");
    }

    /// <summary>
    /// <c>oom_killer_disable(timeout)</c>: from now on allocations fail instead of killing; then wait for the victims
    /// in flight (<c>oom_victims</c>) to exit — up to <paramref name="timeout"/>, through
    /// <paramref name="wait"/> (the machine's timeline, which runs their exits and the reaper meanwhile). When they
    /// have not exited, the killer is enabled again and the call returns false.
    /// </summary>
    public bool OomKillerDisable(Jiffies timeout, IWaitEvent wait)
    {
        if (wait is null) throw new System.ArgumentNullException(nameof(wait));
        m.OomKillerDisabled = true;
        if (!wait.WaitEventTimeout(() => m.OomVictims == 0, timeout))
        {
            OomKillerEnable();
            return false;
        }
        m.Log.Info("OOM killer disabled.");
        return true;
    }
}
