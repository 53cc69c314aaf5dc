import next from "eslint-config-next/core-web-vitals";
import ts from "eslint-config-next/typescript";

const config = [
  ...next,
  ...ts,
  {
    rules: {
      // Member data is fetched in effects on purpose: it needs the token that lives only in
      // the browser, so it cannot be fetched during server rendering; the effects set
      // loading state and then the answer, which is the pattern this rule warns about.
      "react-hooks/set-state-in-effect": "off",
    },
  },
  { ignores: [".next/**", "node_modules/**", "src/api/schema.d.ts", "e2e-artifacts/**", "next-env.d.ts"] },
];

export default config;
