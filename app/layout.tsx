import type { Metadata, Viewport } from "next";
import "./styles/tokens.css";
import "./globals.css";
import { Providers } from "./providers";

// Every page is rendered per request, so each response's scripts carry that response's CSP nonce.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "Switchyard",
  description: "Your GPU fleet, live.",
};

export const viewport: Viewport = {
  themeColor: "#0b0e13",
  colorScheme: "dark",
};

export default function RootLayout({ children }: Readonly<{ children: React.ReactNode }>) {
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
