using System.Runtime.InteropServices;

namespace ServerDashboard.Processes.Native;

/// <summary>A NULL-terminated array of UTF-8 C strings (argv/envp) that lives until disposed.</summary>
internal sealed unsafe class NativeStringArray : IDisposable
{
    private readonly IntPtr[] _strings;
    private byte** _array;

    public NativeStringArray(IReadOnlyList<string> values)
    {
        _strings = new IntPtr[values.Count];
        _array = (byte**)NativeMemory.AllocZeroed((nuint)(values.Count + 1), (nuint)sizeof(byte*));
        for (int i = 0; i < values.Count; i++)
        {
            if (values[i].Contains('\0'))
            {
                Dispose();
                throw new ArgumentException($"argument {i} contains a NUL character, which C strings cannot carry");
            }

            _strings[i] = Marshal.StringToCoTaskMemUTF8(values[i]);
            _array[i] = (byte*)_strings[i];
        }
    }

    public byte** Pointer => _array;

    public byte* this[int index] => _array[index];

    public void Dispose()
    {
        foreach (IntPtr s in _strings)
        {
            if (s != IntPtr.Zero)
            {
                Marshal.FreeCoTaskMem(s);
            }
        }

        Array.Clear(_strings);
        NativeMemory.Free(_array);
        _array = null;
    }
}
