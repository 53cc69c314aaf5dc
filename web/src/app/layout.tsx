import type { Metadata } from "next";
import type { ReactNode } from "react";
import { connection } from "next/server";

import { ConfigProvider } from "@/lib/config";
import { serverConfig } from "@/lib/server-config";
import { Nav } from "@/components/Nav";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Cowork: desks, rooms and offices near you", template: "%s · Cowork" },
  description: "Find a coworking desk, meeting room or office nearby, see live availability, book and pay.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The API's address is read per request (not baked into the build).
  await connection();
  const config = serverConfig();
  return (
    <html lang="en">
      <body>
        <ConfigProvider value={config}>
          <a className="skip" href="#main">
            Skip to content
          </a>
          <Nav />
          <main id="main">{children}</main>
        </ConfigProvider>
      </body>
    </html>
  );
}
