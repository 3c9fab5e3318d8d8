import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Thumbnails are object URLs and presigned S3 links: nothing for the image optimizer to do.
  images: { unoptimized: true },
  turbopack: { root: import.meta.dirname },
};

export default nextConfig;
