import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTypescript,
  {
    rules: {
      // Thumbnails are local object URLs and short-lived presigned S3 links; next/image's
      // optimizer can fetch neither, so plain <img> is the right element here.
      "@next/next/no-img-element": "off",
    },
  },
  { ignores: [".next/**", "node_modules/**", "next-env.d.ts", "src/api/schema.d.ts"] },
];

export default config;
