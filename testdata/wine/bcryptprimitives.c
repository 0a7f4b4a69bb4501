/*
 * bcryptprimitives.c: a stand-in bcryptprimitives.dll for Wine 8, which
 * lacks it. Go's Windows runtime (1.24+) gets its random bytes from
 * ProcessPrng in bcryptprimitives.dll and aborts without it; this DLL
 * exports ProcessPrng and answers it with advapi32's RtlGenRandom
 * (SystemFunction036), which Wine implements.
 *
 * Test-only: .ci/wine-test.sh builds it from this source with
 * x86_64-w64-mingw32-gcc and copies it into a throw-away WINEPREFIX.
 * Never ship or commit the binary.
 */
#include <windows.h>

typedef BOOLEAN(WINAPI *rtlgenrandom_fn)(PVOID, ULONG);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	static rtlgenrandom_fn gen;
	if (!gen) {
		HMODULE adv = LoadLibraryA("advapi32.dll");
		if (!adv)
			return FALSE;
		gen = (rtlgenrandom_fn)GetProcAddress(adv, "SystemFunction036");
		if (!gen)
			return FALSE;
	}
	/* RtlGenRandom takes a ULONG length: feed larger requests in pieces. */
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!gen(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
	(void)inst;
	(void)reason;
	(void)reserved;
	return TRUE;
}
