// The loaded closure's `Error` is the one of the realm its `require` loads packages into, so an SDK error is an
// `instanceof Error` to the function, as in Lambda's single realm. (Under jest the packages load in the test's
// realm and the closure was compiled in Node's: the function's logs lost every error's name and HTTP status.)

import { loadLambda } from "../../local/lambdaHost";

test("an error the SDK throws is an instanceof Error inside the loaded function", async () => {
    const indexJs = `exports.handler = async () => {
        const { ECSServiceException } = require("@aws-sdk/client-ecs");
        const e = new ECSServiceException({ name: "ThrottlingException", $fault: "client", $metadata: { httpStatusCode: 400 }, message: "Rate exceeded" });
        return { isError: e instanceof Error, name: e.name };
    };`;
    const handler = await loadLambda(indexJs, { env: {} });
    expect(await handler({}, { functionName: "f", awsRequestId: "r", getRemainingTimeInMillis: () => 1000 })).toEqual({ isError: true, name: "ThrottlingException" });
});
